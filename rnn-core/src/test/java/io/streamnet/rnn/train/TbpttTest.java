package io.streamnet.rnn.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.streamnet.engine.cpu.CpuBackend;
import io.streamnet.engine.nn.Parameter;
import io.streamnet.engine.nn.optim.LearningRateSchedule;
import io.streamnet.engine.nn.optim.Sgd;
import io.streamnet.engine.tensor.Tensor;
import io.streamnet.rnn.Fixtures;
import io.streamnet.rnn.cell.CellType;
import io.streamnet.rnn.model.ModelConfig;
import io.streamnet.rnn.model.OutputType;
import io.streamnet.rnn.model.SequenceModel;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class TbpttTest {
    private final CpuBackend cpu = CpuBackend.instance();

    private SequenceModel model(CellType cell) {
        return new SequenceModel(cpu, ModelConfig.tokens(cell, 7, 4, 6, 2, 0f, 7, OutputType.MANY_TO_MANY), 11);
    }

    private SequenceBatch streams(int length) {
        Random rng = new Random(21);
        return SequenceBatch.tokenSteps(Fixtures.tokenSeqs(rng, 7, length, length, length),
                Fixtures.tokenSeqs(rng, 7, length, length, length));
    }

    private static List<Tensor> grads(SequenceModel m) {
        List<Tensor> g = new ArrayList<>();
        for (Parameter p : m.parameters()) {
            g.add(p.grad().copy());
        }
        return g;
    }

    @ParameterizedTest
    @EnumSource(CellType.class)
    void truncatedGradientEqualsFullGradientWhenK2CoversTheSequence(CellType cell) {
        SequenceModel m = model(cell);
        SequenceTrainer t = new SequenceTrainer(m, new Sgd(cpu, LearningRateSchedule.constant(0.1f), 0f, 0f), 0f, 1);
        SequenceBatch b = streams(12);
        float full = t.gradients(b);
        List<Tensor> expected = grads(m);
        // Updates every 5 steps, each back through all 12: the windows' gradients sum to the full one.
        float truncated = t.tbpttGradients(b, 5, 12);
        List<Tensor> got = grads(m);
        assertThat(truncated).isCloseTo(full, org.assertj.core.data.Offset.offset(1e-4f));
        for (int k = 0; k < got.size(); k++) {
            for (int i = 0; i < got.get(k).size(); i++) {
                assertThat(got.get(k).at(i)).as("%s[%d]", m.parameters().get(k).name(), i)
                        .isCloseTo(expected.get(k).at(i), org.assertj.core.data.Offset.offset(
                                1e-5f + 1e-4f * Math.abs(expected.get(k).at(i))));
            }
        }
    }

    @Test
    void shortWindowsTruncateTheGradient() {
        SequenceModel m = model(CellType.RNN);
        SequenceTrainer t = new SequenceTrainer(m, new Sgd(cpu, LearningRateSchedule.constant(0.1f), 0f, 0f), 0f, 1);
        SequenceBatch b = streams(12);
        t.gradients(b);
        List<Tensor> full = grads(m);
        t.tbpttGradients(b, 3, 3);
        List<Tensor> truncated = grads(m);
        double diff = 0;
        for (int k = 0; k < full.size(); k++) {
            for (int i = 0; i < full.get(k).size(); i++) {
                diff += Math.abs(full.get(k).at(i) - truncated.get(k).at(i));
            }
        }
        assertThat(diff).as("k2 = 3 must cut gradient paths longer than 3 steps").isGreaterThan(1e-4);
    }

    @Test
    void aSequenceShorterThanK1IsTrainedNotSkipped() {
        SequenceModel m = model(CellType.LSTM);
        SequenceTrainer t = new SequenceTrainer(m, new Sgd(cpu, LearningRateSchedule.constant(0.5f), 0f, 0f), 0f, 1);
        SequenceBatch b = streams(4);
        float before = t.loss(b);
        for (int i = 0; i < 60; i++) {
            t.trainTbptt(b, 10, 20);
        }
        // DL4J skips sequences shorter than k1 (its issue #2278): the loss would not move.
        assertThat(t.loss(b)).isLessThan(before * 0.9f);
    }

    @Test
    void k2BelowK1IsRejected() {
        SequenceModel m = model(CellType.GRU);
        SequenceTrainer t = new SequenceTrainer(m, new Sgd(cpu, LearningRateSchedule.constant(0.1f), 0f, 0f), 0f, 1);
        assertThatThrownBy(() -> t.trainTbptt(streams(6), 4, 2)).hasMessageContaining("k1 <= k2");
    }
}
