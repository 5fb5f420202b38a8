package io.streamnet.training;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.streamnet.engine.cpu.CpuBackend;
import io.streamnet.engine.nn.Parameter;
import io.streamnet.rnn.cell.CellType;
import io.streamnet.rnn.model.ModelConfig;
import io.streamnet.rnn.model.OutputType;
import io.streamnet.rnn.model.SequenceModel;
import io.streamnet.rnn.train.SequenceBatch;
import io.streamnet.rnn.train.SequenceTrainer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Test;

/** Online TBPTT per key: rnn-core's windows, batched across keys without changing any key's gradient. */
class WindowTrainerTest {
    static final int VOCAB = 9;
    static final int K1 = 3;
    static final int K2 = 5;

    static SequenceModel model(CellType cell) {
        return new SequenceModel(CpuBackend.instance(),
                ModelConfig.tokens(cell, VOCAB, 4, 6, 2, 0f, VOCAB, OutputType.MANY_TO_MANY), 7);
    }

    static int[] stream(long seed, int n) {
        Random r = new Random(seed);
        int[] s = new int[n];
        for (int i = 0; i < n; i++) {
            s[i] = r.nextInt(VOCAB);
        }
        return s;
    }

    /** Next-token labels: input s[t], label s[t+1]. */
    static int[] labels(int[] s) {
        int[] l = new int[s.length];
        for (int t = 0; t < s.length; t++) {
            l[t] = s[(t + 1) % s.length];
        }
        return l;
    }

    static List<float[]> grads(SequenceModel m) {
        List<float[]> out = new ArrayList<>();
        for (Parameter p : m.parameters()) {
            out.add(p.grad().toArray());
        }
        return out;
    }

    static void assertClose(List<float[]> got, List<float[]> want, float scale) {
        for (int i = 0; i < want.size(); i++) {
            for (int j = 0; j < want.get(i).length; j++) {
                float w = want.get(i)[j];
                assertThat(got.get(i)[j] * scale).as("parameter %d[%d]", i, j)
                        .isCloseTo(w, org.assertj.core.data.Offset.offset(1e-5f + 1e-4f * Math.abs(w)));
            }
        }
    }

    @ParameterizedTest
    @EnumSource(CellType.class)
    void oneKeysWindowsSumToRnnCoresTbpttGradient(CellType cell) {
        SequenceModel m = model(cell);
        SequenceTrainer trainer = new SequenceTrainer(m, null, 0f, 1);
        int windows = 4;
        int[] s = stream(3, windows * K1);
        int[] y = labels(s);
        trainer.tbpttGradients(SequenceBatch.tokenSteps(List.of(s), List.of(y)), K1, K2);
        List<float[]> reference = grads(m);

        trainer.zeroGradients();
        WindowTrainer online = new WindowTrainer(m, trainer, K1, K2);
        KeyWindow w = online.newWindow("k");
        for (int t = 0; t < s.length; t++) {
            if (online.add(w, s[t], y[t])) {
                online.run(List.of(w));
            }
        }

        // rnn-core weighs each window by its share of the stream's outputs (1/windows here); online, each is its mean.
        assertClose(grads(m), reference, 1f / windows);
    }

    @Test
    void keysBatchedInOneRoundGetTheGradientsOfEachKeyAlone() {
        SequenceModel m = model(CellType.LSTM);
        SequenceTrainer trainer = new SequenceTrainer(m, null, 0f, 1);
        int[][] s = {stream(1, 4 * K1), stream(2, 4 * K1), stream(5, 4 * K1)};
        WindowTrainer online = new WindowTrainer(m, trainer, K1, K2);

        trainer.zeroGradients();
        for (int k = 0; k < s.length; k++) {
            KeyWindow w = online.newWindow("k" + k);
            int[] y = labels(s[k]);
            for (int t = 0; t < s[k].length; t++) {
                if (online.add(w, s[k][t], y[t])) {
                    online.run(List.of(w));
                }
            }
        }
        List<float[]> alone = grads(m);

        trainer.zeroGradients();
        List<KeyWindow> ws = new ArrayList<>();
        for (int k = 0; k < s.length; k++) {
            ws.add(online.newWindow("k" + k));
        }
        for (int t = 0; t < s[0].length; t++) {
            List<KeyWindow> due = new ArrayList<>();
            for (int k = 0; k < s.length; k++) {
                if (online.add(ws.get(k), s[k][t], labels(s[k])[t])) {
                    due.add(ws.get(k));
                }
            }
            if (!due.isEmpty()) {
                online.run(due); // ONE batched forward/backward for the three keys
            }
        }

        assertClose(grads(m), alone, 1f);
    }

    @Test
    void aWindowKeepsItsLastK2MinusK1StepsAndTheStateBeforeThem() {
        SequenceModel m = model(CellType.GRU);
        WindowTrainer online = new WindowTrainer(m, new SequenceTrainer(m, null, 0f, 1), K1, K2);
        KeyWindow w = online.newWindow("k");
        int[] s = stream(4, 2 * K1);
        for (int t = 0; t < K1; t++) {
            online.add(w, s[t], 0);
        }
        online.run(List.of(w));
        assertThat(w.length()).isEqualTo(K2 - K1);
        assertThat(w.sinceUpdate()).isZero();
        assertThat(w.startState()).as("after step 1 of the first window").isNotNull();
        var expected = m.step(m.initialState(), s[0]).state().values();
        assertThat(w.startState()).containsExactly(expected, org.assertj.core.data.Offset.offset(1e-6f));
    }

    @Test
    void aFullWindowMustRunBeforeItTakesMoreSteps() {
        SequenceModel m = model(CellType.RNN);
        WindowTrainer online = new WindowTrainer(m, new SequenceTrainer(m, null, 0f, 1), 2, 2);
        KeyWindow w = online.newWindow("k");
        online.add(w, 1, 2);
        online.add(w, 3, 4);
        assertThatThrownBy(() -> online.add(w, 5, 6)).hasMessageContaining("full");
    }
}
