package io.streamnet.flink.rnn;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamnet.engine.checkpoint.Checkpoints;
import io.streamnet.engine.cpu.CpuBackend;
import io.streamnet.rnn.cell.CellType;
import io.streamnet.rnn.model.ModelConfig;
import io.streamnet.rnn.model.OutputType;
import io.streamnet.rnn.model.RnnCheckpoints;
import io.streamnet.rnn.model.SequenceModel;
import io.streamnet.rnn.state.RnnState;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

/** The bundle operator with Flink's keyed operator test harness. */
class RnnBundleOperatorTest {
    private final SequenceModel model = new SequenceModel(CpuBackend.instance(),
            ModelConfig.tokens(CellType.LSTM, 20, 8, 16, 1, 0f, 3, OutputType.MANY_TO_MANY), 7);
    private final byte[] checkpoint = bytes(model);

    private static byte[] bytes(SequenceModel m) {
        try {
            // A token model's checkpoint carries its vocabulary: 19 characters plus the OOV id.
            return Checkpoints.toBytes(RnnCheckpoints.toCheckpoint(m,
                    io.streamnet.rnn.text.Vocabulary.chars("abcdefghijklmnopqrs"), Map.of()));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private KeyedOneInputStreamOperatorTestHarness<String, StepInput, StepOutput> harness(int bundle, long millis)
            throws Exception {
        return new KeyedOneInputStreamOperatorTestHarness<>(new RnnBundleOperator(checkpoint, bundle, millis, true),
                StepInput::key, Types.STRING);
    }

    /** Interleaved keys, key "a" three times in a row so that it appears twice in one bundle. */
    private static List<StepInput> events() {
        String[] keys = {"a", "b", "a", "a", "c", "b", "a", "c"};
        int[] toks = {3, 7, 1, 4, 9, 2, 5, 11};
        Map<String, Integer> seq = new HashMap<>();
        List<StepInput> out = new ArrayList<>();
        for (int i = 0; i < keys.length; i++) {
            long s = seq.merge(keys[i], 1, Integer::sum) - 1;
            out.add(StepInput.token(keys[i], s, toks[i], false, null, 1000 + i));
        }
        return out;
    }

    /** What stepping each key alone through its own events gives, in per-key order. */
    private Map<String, List<float[]>> expected(List<StepInput> events) {
        Map<String, RnnState> states = new HashMap<>();
        Map<String, List<float[]>> out = new HashMap<>();
        for (StepInput e : events) {
            SequenceModel.StepResult r = model.step(states.getOrDefault(e.key(), model.initialState()), e.token());
            states.put(e.key(), r.state());
            out.computeIfAbsent(e.key(), k -> new ArrayList<>()).add(r.output());
        }
        return out;
    }

    private static Map<String, List<float[]>> byKey(List<StepOutput> outputs) {
        Map<String, List<float[]>> m = new HashMap<>();
        outputs.forEach(o -> m.computeIfAbsent(o.key(), k -> new ArrayList<>()).add(o.output()));
        return m;
    }

    private static void assertSameOutputs(Map<String, List<float[]>> got, Map<String, List<float[]>> want) {
        assertThat(got.keySet()).isEqualTo(want.keySet());
        want.forEach((k, list) -> {
            assertThat(got.get(k)).as("outputs of key %s", k).hasSameSizeAs(list);
            for (int i = 0; i < list.size(); i++) {
                assertThat(got.get(k).get(i)).as("key %s step %d", k, i).containsExactly(list.get(i));
            }
        });
    }

    @Test
    void batchedBundlesKeepPerKeyOrderAndMatchSteppingEachKeyAlone() throws Exception {
        List<StepInput> events = events();
        try (var h = harness(4, 60_000)) {
            h.open();
            for (StepInput e : events) {
                h.processElement(new StreamRecord<>(e, e.eventTime()));
            }
            h.endInput();
            List<StepOutput> out = h.extractOutputValues();
            assertThat(out).hasSize(events.size());
            assertSameOutputs(byKey(out), expected(events));
            // Per-key order: each key's outputs come in its seq order.
            Map<String, Long> last = new HashMap<>();
            for (StepOutput o : out) {
                assertThat(o.seq()).isGreaterThan(last.getOrDefault(o.key(), -1L));
                last.put(o.key(), o.seq());
            }
        }
    }

    @Test
    void aSnapshotFlushesTheBundleAndRestoringGivesTheUninterruptedOutputs() throws Exception {
        List<StepInput> events = events();
        OperatorSubtaskState snapshot;
        List<StepOutput> out = new ArrayList<>();
        try (var h = harness(100, 60_000)) {
            h.open();
            for (StepInput e : events.subList(0, 5)) {
                h.processElement(new StreamRecord<>(e, e.eventTime()));
            }
            assertThat(h.extractOutputValues()).as("still buffered before the barrier").isEmpty();
            h.prepareSnapshotPreBarrier(1);
            snapshot = h.snapshot(1, 2000);
            out.addAll(h.extractOutputValues());
            assertThat(out).as("flushed before the barrier").hasSize(5);
        }
        try (var h = harness(100, 60_000)) {
            h.initializeState(snapshot);
            h.open();
            for (StepInput e : events.subList(5, events.size())) {
                h.processElement(new StreamRecord<>(e, e.eventTime()));
            }
            h.endInput();
            out.addAll(h.extractOutputValues());
        }
        assertSameOutputs(byKey(out), expected(events));
    }

    @Test
    void theEndOfASequenceClearsTheKeysState() throws Exception {
        try (var h = harness(1, 0)) {
            h.open();
            h.processElement(new StreamRecord<>(StepInput.token("a", 0, 3, false, null, 1), 1));
            h.processElement(new StreamRecord<>(StepInput.token("a", 1, 4, true, 2, 2), 2));
            h.processElement(new StreamRecord<>(StepInput.token("a", 0, 3, false, null, 3), 3));
            List<StepOutput> out = h.extractOutputValues();
            // After the end marker the key starts afresh: its next first step equals the very first.
            assertThat(out.get(2).output()).containsExactly(out.get(0).output());
            assertThat(out.get(1).end()).isTrue();
            assertThat(out.get(1).trueLabel()).isEqualTo(2);
        }
    }

    @Test
    void anIdleKeysStateExpiresAfterItsTtl() throws Exception {
        try (var h = new KeyedOneInputStreamOperatorTestHarness<>(new RnnBundleOperator(checkpoint, 1, 0, true,
                java.time.Duration.ofMinutes(10)), StepInput::key, Types.STRING)) {
            h.open();
            h.setStateTtlProcessingTime(0);
            h.processElement(new StreamRecord<>(StepInput.token("a", 0, 3, false, null, 1), 1));
            h.setStateTtlProcessingTime(5 * 60_000);
            h.processElement(new StreamRecord<>(StepInput.token("b", 0, 3, false, null, 2), 2));
            h.setStateTtlProcessingTime(11 * 60_000);
            h.processElement(new StreamRecord<>(StepInput.token("a", 1, 3, false, null, 3), 3));
            List<StepOutput> out = h.extractOutputValues();
            // Key "a" was idle for 11 minutes: its state expired, so its step equals a fresh first step.
            assertThat(out.get(2).output()).containsExactly(out.get(0).output());
        }
    }

    @Test
    void aKeyWithinItsTtlKeepsItsState() throws Exception {
        try (var h = new KeyedOneInputStreamOperatorTestHarness<>(new RnnBundleOperator(checkpoint, 1, 0, true,
                java.time.Duration.ofMinutes(10)), StepInput::key, Types.STRING)) {
            h.open();
            h.setStateTtlProcessingTime(0);
            h.processElement(new StreamRecord<>(StepInput.token("a", 0, 3, false, null, 1), 1));
            h.setStateTtlProcessingTime(9 * 60_000);
            h.processElement(new StreamRecord<>(StepInput.token("a", 1, 3, false, null, 2), 2));
            List<StepOutput> out = h.extractOutputValues();
            assertThat(out.get(1).output()).isNotEqualTo(out.get(0).output());
        }
    }

    @Test
    void aBundleIsFlushedWhenItsTimeRunsOut() throws Exception {
        try (var h = harness(100, 50)) {
            h.open();
            h.setProcessingTime(0);
            h.processElement(new StreamRecord<>(StepInput.token("a", 0, 3, false, null, 1), 1));
            assertThat(h.extractOutputValues()).isEmpty();
            h.setProcessingTime(60);
            assertThat(h.extractOutputValues()).hasSize(1);
        }
    }
}
