package io.streamnet.rnn.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.streamnet.engine.cpu.CpuBackend;
import io.streamnet.engine.tensor.Tensor;
import io.streamnet.rnn.Fixtures;
import io.streamnet.rnn.cell.CellType;
import io.streamnet.rnn.state.RnnState;
import io.streamnet.rnn.state.StateBatch;
import io.streamnet.rnn.train.SequenceBatch;
import io.streamnet.rnn.train.SequenceTrainer;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The streaming step: per-key state as values, many keys advanced in one batched call. */
class StepApiTest {
    private final CpuBackend cpu = CpuBackend.instance();

    private SequenceModel model(CellType cell) {
        return new SequenceModel(cpu, ModelConfig.tokens(cell, 50, 16, 64, 2, 0f, 3, OutputType.MANY_TO_ONE), 9);
    }

    @ParameterizedTest
    @EnumSource(CellType.class)
    void aKeysStepIsBitIdenticalAloneOrInsideABatch(CellType cell) {
        SequenceModel m = model(cell);
        Random rng = new Random(1);
        int keys = 37;
        RnnState[] states = new RnnState[keys];
        for (int k = 0; k < keys; k++) {
            states[k] = m.initialState();
        }
        StateBatch batch = m.newStateBatch(keys);
        int[] tokens = new int[keys];
        for (int step = 0; step < 5; step++) {
            for (int k = 0; k < keys; k++) {
                tokens[k] = rng.nextInt(50);
                batch.load(k, states[k]);
            }
            m.stepBatch(batch, keys, tokens, null);
            for (int k : new int[] {0, 13, 36}) {
                SequenceModel.StepResult alone = m.step(states[k], tokens[k]);
                assertThat(alone.state().values()).as("state of key %d at step %d", k, step)
                        .containsExactly(batch.save(k).values());
                assertThat(alone.output()).containsExactly(batch.output(k).toArray());
            }
            for (int k = 0; k < keys; k++) {
                states[k] = batch.save(k);
            }
        }
    }

    @ParameterizedTest
    @EnumSource(CellType.class)
    void steppingASequenceGivesTheSamePredictionAsTheUnrolledModel(CellType cell) {
        SequenceModel m = model(cell);
        List<int[]> seqs = Fixtures.tokenSeqs(new Random(2), 50, 9, 4, 6);
        Tensor unrolled = new SequenceTrainer(m, null, 0f, 1).predict(SequenceBatch.tokens(seqs, null));
        for (int i = 0; i < seqs.size(); i++) {
            RnnState s = m.initialState();
            float[] out = null;
            for (int token : seqs.get(i)) {
                SequenceModel.StepResult r = m.step(s, token);
                s = r.state();
                out = r.output();
            }
            assertThat(out).as("sequence %d", i).containsExactly(unrolled.row(i).toArray());
        }
    }

    @ParameterizedTest
    @EnumSource(CellType.class)
    void stateLayoutHoldsHAndForLstmCPerLayer(CellType cell) {
        SequenceModel m = model(cell);
        assertThat(m.initialState().values()).hasSize(2 * 64 * (cell == CellType.LSTM ? 2 : 1));
    }

    @ParameterizedTest
    @EnumSource(CellType.class)
    void probabilitiesSumToOne(CellType cell) {
        float[] p = model(cell).step(model(cell).initialState(), 3).output();
        double sum = 0;
        for (float v : p) {
            sum += v;
        }
        assertThat(sum).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-5));
    }

    @ParameterizedTest
    @EnumSource(CellType.class)
    void aStateOfAnotherLayoutIsRefused(CellType cell) {
        SequenceModel m = model(cell);
        SequenceModel other = new SequenceModel(cpu, ModelConfig.tokens(cell, 50, 16, 32, 2, 0f, 3, OutputType.MANY_TO_ONE), 9);
        assertThatThrownBy(() -> m.step(other.initialState(), 1)).hasMessageContaining("layout");
    }
}
