package io.streamnet.rnn.model;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamnet.engine.cpu.CpuBackend;
import io.streamnet.engine.nn.optim.Adam;
import io.streamnet.engine.nn.optim.LearningRateSchedule;
import io.streamnet.rnn.cell.CellType;
import io.streamnet.rnn.train.SequenceBatch;
import io.streamnet.rnn.train.SequenceTrainer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** ONE_TO_MANY and SEQ2SEQ: models that generate by feeding their outputs back. */
class GenerationTest {
    private final CpuBackend cpu = CpuBackend.instance();

    /** A damped rotation: each point is the previous one turned by 0.3 rad and shrunk by 0.97. */
    private static float[][] orbit(float x, float y, int n) {
        float[][] out = new float[n][2];
        double c = Math.cos(0.3) * 0.97;
        double s = Math.sin(0.3) * 0.97;
        for (int i = 0; i < n; i++) {
            float nx = (float) (c * x - s * y);
            float ny = (float) (s * x + c * y);
            out[i][0] = nx;
            out[i][1] = ny;
            x = nx;
            y = ny;
        }
        return out;
    }

    @Test
    void oneToManyLearnsToContinueATrajectoryFromItsFirstPoint() {
        SequenceModel m = new SequenceModel(cpu,
                ModelConfig.features(CellType.GRU, 2, 24, 1, 0f, 2, Task.REGRESSION, OutputType.ONE_TO_MANY), 2);
        SequenceTrainer t = new SequenceTrainer(m, new Adam(cpu, LearningRateSchedule.constant(1e-2f)), 5f, 2);
        Random rng = new Random(1);
        for (int it = 0; it < 400; it++) {
            List<float[][]> in = new ArrayList<>();
            List<float[][]> tgt = new ArrayList<>();
            for (int b = 0; b < 16; b++) {
                double a = rng.nextDouble() * 2 * Math.PI;
                float x0 = (float) Math.cos(a);
                float y0 = (float) Math.sin(a);
                float[][] y = orbit(x0, y0, 10);
                float[][] x = new float[10][];
                x[0] = new float[] {x0, y0};
                System.arraycopy(y, 0, x, 1, 9);
                in.add(x);
                tgt.add(y);
            }
            t.trainBatch(SequenceBatch.features(in, null, tgt));
        }
        float[][] expected = orbit(0.6f, 0.8f, 10);
        float[][] got = m.generate(m.initialState(), new float[] {0.6f, 0.8f}, 10);
        double err = 0;
        for (int i = 0; i < 10; i++) {
            err += Math.hypot(got[i][0] - expected[i][0], got[i][1] - expected[i][1]);
        }
        // The free-running forecast (no teacher forcing) stays on the orbit of radius ~1.
        assertThat(err / 10).isLessThan(0.15);
    }

    @Test
    void seq2seqForecastsTheNextStepsOfASequence() {
        SequenceModel m = new SequenceModel(cpu,
                ModelConfig.features(CellType.LSTM, 2, 24, 1, 0f, 2, Task.REGRESSION, OutputType.SEQ2SEQ), 3);
        SequenceTrainer t = new SequenceTrainer(m, new Adam(cpu, LearningRateSchedule.constant(1e-2f)), 5f, 3);
        Random rng = new Random(2);
        for (int it = 0; it < 400; it++) {
            List<float[][]> src = new ArrayList<>();
            List<float[][]> decIn = new ArrayList<>();
            List<float[][]> decOut = new ArrayList<>();
            for (int b = 0; b < 16; b++) {
                double a = rng.nextDouble() * 2 * Math.PI;
                float[][] path = orbit((float) Math.cos(a), (float) Math.sin(a), 12);
                float[][] history = java.util.Arrays.copyOfRange(path, 0, 8);
                float[][] future = java.util.Arrays.copyOfRange(path, 8, 12);
                float[][] teacher = new float[4][];
                teacher[0] = history[7];
                System.arraycopy(future, 0, teacher, 1, 3);
                src.add(history);
                decIn.add(teacher);
                decOut.add(future);
            }
            t.trainSeq2Seq(SequenceBatch.features(src, null, null), SequenceBatch.features(decIn, null, decOut));
        }
        float[][] path = orbit(0.6f, -0.8f, 12);
        var state = m.initialState();
        for (int i = 0; i < 8; i++) {
            state = m.step(state, path[i]).state();
        }
        float[][] forecast = m.generate(state, path[7], 4);
        double err = 0;
        for (int i = 0; i < 4; i++) {
            err += Math.hypot(forecast[i][0] - path[8 + i][0], forecast[i][1] - path[8 + i][1]);
        }
        assertThat(err / 4).isLessThan(0.15);
    }
}
