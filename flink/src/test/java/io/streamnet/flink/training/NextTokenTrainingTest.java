package io.streamnet.flink.training;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.streamnet.engine.cpu.CpuBackend;
import io.streamnet.engine.nn.Parameter;
import io.streamnet.rnn.cell.CellType;
import io.streamnet.rnn.model.ModelConfig;
import io.streamnet.rnn.model.OutputType;
import io.streamnet.rnn.model.SequenceModel;
import io.streamnet.rnn.train.SequenceBatch;
import io.streamnet.rnn.train.SequenceTrainer;
import io.streamnet.serving.sequence.SequenceEvent;
import io.streamnet.training.HeldOutSlice;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.junit.jupiter.api.Test;

/**
 * Many-to-many (next-token) online training in the operator: a key's text, whatever its chunks,
 * trains the windows rnn-core's TBPTT(k1, k2) trains on the same stream; and a snapshot taken
 * mid-window restores to the uninterrupted gradients.
 */
class NextTokenTrainingTest {
    static final int K1 = 3;
    static final int K2 = 5;
    final SequenceModel model = new SequenceModel(CpuBackend.instance(), ModelConfig.tokens(CellType.LSTM,
            TrainingOperatorTest.VOCAB.size(), 4, 6, 1, 0f, TrainingOperatorTest.VOCAB.size(), OutputType.MANY_TO_MANY), 5);

    TrainingOperatorTest.Harness harness() throws Exception {
        return new TrainingOperatorTest.Harness(new ManyToManyTrainingOperator(TrainingOperatorTest.checkpoint(model, 1), "s", 1,
                new TrainingOperatorConfig(100, 60_000, Duration.ofHours(1), 1 << 20, 1000, K2, K1, 1000, 0f,
                        HeldOutSlice.NONE, null, 3)));
    }

    static final String TEXT = "abcdefghabcdhgfe"; // 16 tokens: 15 labelled steps, 5 windows of k1 = 3

    static List<SequenceEvent> chunks(String key, int... sizes) {
        List<SequenceEvent> out = new ArrayList<>();
        int at = 0;
        for (int i = 0; i < sizes.length; i++) {
            out.add(SequenceEvent.text(key, i, TEXT.substring(at, at + sizes[i]), false).withTimes(0, 10 + i));
            at += sizes[i];
        }
        return out;
    }

    /** rnn-core's TBPTT gradient of the stream, times its windows: the sum of the windows' mean-loss gradients. */
    float[] reference() {
        int[] ids = TrainingOperatorTest.VOCAB.encode(TEXT);
        int[] x = java.util.Arrays.copyOf(ids, ids.length - 1);
        int[] y = java.util.Arrays.copyOfRange(ids, 1, ids.length);
        new SequenceTrainer(model, null, 0f, 0).tbpttGradients(SequenceBatch.tokenSteps(List.of(x), List.of(y)), K1, K2);
        int windows = x.length / K1;
        List<Parameter> ps = model.parameters();
        float[] flat = new float[ps.stream().mapToInt(p -> p.value().size()).sum()];
        int at = 0;
        for (Parameter p : ps) {
            for (float v : p.grad().toArray()) {
                flat[at++] = v * windows;
            }
        }
        return flat;
    }

    static float[] total(List<TrainingMessage> gradients) {
        float[] sum = new float[gradients.get(0).values.length];
        for (TrainingMessage m : gradients) {
            for (int i = 0; i < sum.length; i++) {
                sum[i] += m.values[i];
            }
        }
        return sum;
    }

    @Test
    void aKeysChunkedTextTrainsRnnCoresTbpttWindows() throws Exception {
        try (var h = harness()) {
            h.open();
            for (SequenceEvent e : chunks("k", 4, 1, 7, 4)) {
                h.event(e);
            }
            h.endInput1();
            List<TrainingMessage> out = h.messages();
            assertThat(out).singleElement().extracting(m -> m.windows).isEqualTo(5);
            float[] want = reference();
            for (int i = 0; i < want.length; i++) {
                assertThat(out.get(0).values[i]).isCloseTo(want[i], within(1e-5f));
            }
        }
    }

    @Test
    void aSnapshotMidWindowRestoresToTheUninterruptedGradients() throws Exception {
        List<SequenceEvent> events = chunks("k", 4, 1, 7, 4);
        OperatorSubtaskState snapshot;
        List<TrainingMessage> out = new ArrayList<>();
        try (var h = harness()) {
            h.open();
            h.event(events.get(0));
            h.event(events.get(1)); // 5 tokens: one window run, one step pending in the next
            h.prepareSnapshotPreBarrier(1);
            snapshot = h.snapshot(1, 1);
            out.addAll(h.messages());
        }
        try (var h = harness()) {
            h.initializeState(snapshot);
            h.open();
            h.event(events.get(2));
            h.event(events.get(3));
            h.endInput1();
            out.addAll(h.messages());
        }
        assertThat(out.stream().mapToInt(m -> m.windows).sum()).isEqualTo(5);
        float[] want = reference();
        float[] got = total(out);
        for (int i = 0; i < want.length; i++) {
            assertThat(got[i]).isCloseTo(want[i], within(1e-5f));
        }
    }
}
