package io.streamnet.flink.training;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.streamnet.engine.checkpoint.Checkpoints;
import io.streamnet.engine.cpu.CpuBackend;
import io.streamnet.engine.nn.Parameter;
import io.streamnet.rnn.cell.CellType;
import io.streamnet.rnn.model.ModelConfig;
import io.streamnet.rnn.model.OutputType;
import io.streamnet.rnn.model.RnnCheckpoints;
import io.streamnet.rnn.model.SequenceModel;
import io.streamnet.rnn.model.Task;
import io.streamnet.rnn.train.SequenceBatch;
import io.streamnet.rnn.train.SequenceTrainer;
import io.streamnet.serving.model.ServedModel;
import io.streamnet.serving.sequence.SequenceEvent;
import io.streamnet.training.HeldOutSlice;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.junit.jupiter.api.Test;

/**
 * A feature MANY_TO_MANY model (the camera smoother's kind) learns online from StepEvents with a
 * label per step: two keys' interleaved steps train rnn-core's TBPTT windows of their streams, also
 * across a snapshot mid-window; an unlabelled step is a BAD_LABEL dead letter.
 */
class LabelledStepTrainingTest {
    static final int K1 = 3;
    static final int K2 = 4;
    static final int STEPS = 9;
    final SequenceModel model = new SequenceModel(CpuBackend.instance(), ModelConfig.features(CellType.GRU, 3, 5, 1, 0f,
            4, Task.CLASSIFICATION, OutputType.MANY_TO_MANY), 2);
    final float[][][] x = new float[2][STEPS][3];
    final int[][] y = new int[2][STEPS];

    LabelledStepTrainingTest() {
        Random r = new Random(4);
        for (int k = 0; k < 2; k++) {
            for (int t = 0; t < STEPS; t++) {
                for (int i = 0; i < 3; i++) {
                    x[k][t][i] = r.nextFloat() * 2 - 1;
                }
                y[k][t] = r.nextInt(4);
            }
        }
    }

    TrainingOperatorTest.Harness harness() throws Exception {
        byte[] ckpt = Checkpoints.toBytes(RnnCheckpoints.toCheckpoint(model, null, Map.of(ServedModel.META_ID, "s",
                ServedModel.META_VERSION, "1")));
        return new TrainingOperatorTest.Harness(new ManyToManyTrainingOperator(ckpt, "s", 1, new TrainingOperatorConfig(100,
                60_000, Duration.ofHours(1), 1 << 20, 1000, K2, K1, 1000, 0f, HeldOutSlice.NONE, null, 3)));
    }

    SequenceEvent step(int key, int t) {
        return SequenceEvent.features("k" + key, t, x[key][t], false).withLabel(y[key][t]).withTimes(0, 5);
    }

    /** rnn-core's TBPTT gradients of both streams, times their windows per stream. */
    float[] reference() {
        new SequenceTrainer(model, null, 0f, 0).tbpttGradients(SequenceBatch.featureSteps(List.of(x[0], x[1]),
                List.of(y[0], y[1])), K1, K2);
        int windows = STEPS / K1 * 2; // 3 windows per stream, 2 streams
        float[] flat = new float[model.parameters().stream().mapToInt(p -> p.value().size()).sum()];
        int at = 0;
        for (Parameter p : model.parameters()) {
            for (float v : p.grad().toArray()) {
                flat[at++] = v * windows; // per window, the mean over both rows: times 3 windows x 2 rows
            }
        }
        return flat;
    }

    @Test
    void interleavedLabelledStepsAcrossASnapshotTrainRnnCoresTbpttWindows() throws Exception {
        OperatorSubtaskState snapshot;
        float[] got = new float[reference().length];
        int windows = 0;
        try (var h = harness()) {
            h.open();
            for (int t = 0; t < 5; t++) {
                h.event(step(0, t));
                h.event(step(1, t));
            }
            h.prepareSnapshotPreBarrier(1);
            snapshot = h.snapshot(1, 1);
            for (TrainingMessage m : h.messages()) {
                windows += m.windows;
                for (int i = 0; i < got.length; i++) {
                    got[i] += m.values[i];
                }
            }
        }
        try (var h = harness()) {
            h.initializeState(snapshot);
            h.open();
            for (int t = 5; t < STEPS; t++) {
                h.event(step(0, t));
                h.event(step(1, t));
            }
            h.endInput1();
            for (TrainingMessage m : h.messages()) {
                windows += m.windows;
                for (int i = 0; i < got.length; i++) {
                    got[i] += m.values[i];
                }
            }
        }
        assertThat(windows).isEqualTo(6);
        float[] want = reference();
        for (int i = 0; i < want.length; i++) {
            assertThat(got[i]).isCloseTo(want[i], within(1e-5f));
        }
    }

    @Test
    void anUnlabelledStepIsABadLabelDeadLetter() throws Exception {
        try (var h = harness()) {
            h.open();
            h.event(SequenceEvent.features("k", 0, x[0][0], false));
            h.endInput1();
            assertThat(h.deadLetters()).singleElement().extracting(d -> d.getReason().toString()).isEqualTo("BAD_LABEL");
        }
    }
}
