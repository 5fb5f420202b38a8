package io.streamnet.serving.sequence;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamnet.engine.cpu.CpuBackend;
import io.streamnet.rnn.cell.CellType;
import io.streamnet.rnn.model.ModelConfig;
import io.streamnet.rnn.model.OutputType;
import io.streamnet.rnn.model.SequenceModel;
import io.streamnet.rnn.text.Vocabulary;
import io.streamnet.serving.model.PoisonModels;
import io.streamnet.serving.model.ServedSequenceModel;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A batched step that fails is narrowed to the rows that fail; the others get the model's own outputs. */
class SequenceStepperRetryTest {
    @Test
    void aRowWithNonFiniteOutputFailsAloneAndTheOthersAreUnaffected() {
        SequenceModel m = PoisonModels.failsAbove(OutputType.MANY_TO_MANY);
        ServedSequenceModel served = new ServedSequenceModel("m", 1, new byte[0], m, null);
        SequenceStepper s = new SequenceStepper(served, OutputMode.MANY_TO_MANY, 1, 3);
        float[][] x = {{0.1f}, {5f}, {-0.4f}};
        for (int r = 0; r < 3; r++) {
            s.loadState(r, null);
            s.loadFeatures(r, x[r], 0);
        }

        assertThat(s.run(3)).isEqualTo(1);

        assertThat(s.failure(1)).contains("NaN or Inf");
        assertThat(s.failure(0)).isNull();
        assertThat(s.output(0)).containsExactly(m.step(m.initialState(), x[0]).output());
        assertThat(s.output(2)).containsExactly(m.step(m.initialState(), x[2]).output());
    }

    @Test
    void aBatchThatThrowsIsRetriedRowByRowSoOnlyTheGuiltyRowFails() {
        Vocabulary small = Vocabulary.words(List.of("a b c"), 10, 1);
        Vocabulary large = Vocabulary.words(List.of("a b c d e f g h i j k l"), 50, 1);
        SequenceModel m = new SequenceModel(CpuBackend.instance(),
                ModelConfig.tokens(CellType.LSTM, small.size(), 4, 6, 1, 0f, 2, OutputType.MANY_TO_ONE), 2);
        SequenceModel other = new SequenceModel(CpuBackend.instance(),
                ModelConfig.tokens(CellType.LSTM, large.size(), 4, 6, 1, 0f, 2, OutputType.MANY_TO_ONE), 2);
        ServedSequenceModel served = new ServedSequenceModel("m", 1, new byte[0], m, small);
        // Checked against a model of a larger vocabulary (as after a swap): its last id is outside m's.
        SequenceInput bad = SequenceInput.of(SequenceEvent.tokens("bad", 0, new int[] {large.size() - 1}, true),
                new ServedSequenceModel("o", 1, new byte[0], other, large), 10);
        SequenceInput good = SequenceInput.of(SequenceEvent.tokens("good", 0, new int[] {1}, true), served, 10);
        SequenceStepper s = new SequenceStepper(served, OutputMode.MANY_TO_ONE, 1, 2);
        s.loadState(0, null);
        s.loadInput(0, good, 0);
        s.loadState(1, null);
        s.loadInput(1, bad, 0);

        assertThat(s.run(2)).isEqualTo(1);

        assertThat(s.failure(1)).contains("the model failed");
        assertThat(s.output(0)).containsExactly(m.step(m.initialState(), 1).output());
        assertThat(s.state(0)).containsExactly(m.step(m.initialState(), 1).state().values());
    }
}
