package io.streamnet.flink.sequence;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamnet.rnn.model.SequenceModel;
import io.streamnet.rnn.state.RnnState;
import io.streamnet.schemas.Prediction;
import io.streamnet.schemas.PredictionKind;
import io.streamnet.serving.sequence.OutputMode;
import io.streamnet.serving.sequence.SequenceEvent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.junit.jupiter.api.Test;

/** Batching, order, snapshots and state lifetime of the bundle operator, in Flink's keyed test harness. */
class SequenceOperatorTest {
    private final SequenceModel model = OperatorFixtures.tokenModel(16, 7);
    private final byte[] checkpoint = OperatorFixtures.bytes(model, "sentiment", 1);

    private OperatorFixtures.Harness harness(int bundle, long millis) throws Exception {
        return OperatorFixtures.harness(checkpoint, "sentiment", 1, SequenceOperatorConfig.of(bundle, millis,
                OutputMode.MANY_TO_MANY));
    }

    /** Interleaved keys, key "a" three times in a row so that it appears twice in one bundle. */
    private static List<SequenceEvent> events() {
        String[] keys = {"a", "b", "a", "a", "c", "b", "a", "c"};
        int[] toks = {3, 7, 1, 4, 9, 2, 5, 11};
        Map<String, Integer> seq = new HashMap<>();
        List<SequenceEvent> out = new ArrayList<>();
        for (int i = 0; i < keys.length; i++) {
            long s = seq.merge(keys[i], 1, Integer::sum) - 1;
            out.add(SequenceEvent.tokens(keys[i], s, new int[] {toks[i]}, false).withTimes(1000 + i, 1000 + i));
        }
        return out;
    }

    /** What stepping each key alone through its own events gives, in per-key order. */
    private Map<String, List<float[]>> expected(List<SequenceEvent> events) {
        Map<String, RnnState> states = new HashMap<>();
        Map<String, List<float[]>> out = new HashMap<>();
        for (SequenceEvent e : events) {
            SequenceModel.StepResult r = model.step(states.getOrDefault(e.key, model.initialState()), e.tokenIds[0]);
            states.put(e.key, r.state());
            out.computeIfAbsent(e.key, k -> new ArrayList<>()).add(r.output());
        }
        return out;
    }

    @Test
    void batchedBundlesKeepPerKeyOrderAndMatchSteppingEachKeyAlone() throws Exception {
        List<SequenceEvent> events = events();
        try (var h = harness(4, 60_000)) {
            h.open();
            events.forEach(h::event);
            h.endInput1();
            List<Prediction> out = h.predictions();
            assertThat(out).hasSize(events.size());
            OperatorFixtures.assertSameOutputs(OperatorFixtures.byKey(out), expected(events));
            Map<String, Long> last = new HashMap<>();
            for (Prediction p : out) {
                assertThat(p.getStep()).as("per-key order").isGreaterThan(last.getOrDefault(p.getKey().toString(), -1L));
                last.put(p.getKey().toString(), p.getStep());
                assertThat(p.getKind()).isEqualTo(PredictionKind.MANY_TO_MANY);
                assertThat(p.getModelId().toString()).isEqualTo("sentiment");
                assertThat(p.getModelVersion()).isEqualTo(1);
            }
        }
    }

    @Test
    void aSnapshotFlushesTheBundleAndRestoringGivesTheUninterruptedOutputs() throws Exception {
        List<SequenceEvent> events = events();
        OperatorSubtaskState snapshot;
        List<Prediction> out = new ArrayList<>();
        try (var h = harness(100, 60_000)) {
            h.open();
            events.subList(0, 5).forEach(h::event);
            assertThat(h.predictions()).as("still buffered before the barrier").isEmpty();
            h.prepareSnapshotPreBarrier(1);
            snapshot = h.snapshot(1, 2000);
            out.addAll(h.predictions());
            assertThat(out).as("flushed before the barrier").hasSize(5);
        }
        try (var h = harness(100, 60_000)) {
            h.initializeState(snapshot);
            h.open();
            events.subList(5, events.size()).forEach(h::event);
            h.endInput1();
            out.addAll(h.predictions());
        }
        OperatorFixtures.assertSameOutputs(OperatorFixtures.byKey(out), expected(events));
    }

    @Test
    void theEndOfASequenceClearsTheKeysState() throws Exception {
        try (var h = harness(1, 0)) {
            h.open();
            h.event(SequenceEvent.tokens("a", 0, new int[] {3}, false));
            h.event(SequenceEvent.tokens("a", 1, new int[] {4}, true).withLabel(2));
            h.event(SequenceEvent.tokens("a", 0, new int[] {3}, false));
            List<Prediction> out = h.predictions();
            // After the end marker the key starts afresh: its next first step equals the very first.
            assertThat(out.get(2).getProbabilities()).isEqualTo(out.get(0).getProbabilities());
            assertThat(out.get(1).getTrueLabel()).isEqualTo(2);
            assertThat(h.keysWith(SequenceOperator.STATE)).isEqualTo(1);
        }
    }

    @Test
    void anIdleKeysStateExpiresAfterItsTtl() throws Exception {
        try (var h = OperatorFixtures.harness(checkpoint, "sentiment", 1, SequenceOperatorConfig.of(1, 0,
                OutputMode.MANY_TO_MANY).withStateTtl(Duration.ofMinutes(10)))) {
            h.open();
            h.setStateTtlProcessingTime(0);
            h.event(SequenceEvent.tokens("a", 0, new int[] {3}, false));
            h.setStateTtlProcessingTime(5 * 60_000);
            h.event(SequenceEvent.tokens("b", 0, new int[] {3}, false));
            h.setStateTtlProcessingTime(11 * 60_000);
            h.event(SequenceEvent.tokens("a", 1, new int[] {3}, false));
            List<Prediction> out = h.predictions();
            // Key "a" was idle for 11 minutes: its state expired, so its step equals a fresh first step.
            assertThat(out.get(2).getProbabilities()).isEqualTo(out.get(0).getProbabilities());
        }
    }

    @Test
    void aKeyWithinItsTtlKeepsItsState() throws Exception {
        try (var h = OperatorFixtures.harness(checkpoint, "sentiment", 1, SequenceOperatorConfig.of(1, 0,
                OutputMode.MANY_TO_MANY).withStateTtl(Duration.ofMinutes(10)))) {
            h.open();
            h.setStateTtlProcessingTime(0);
            h.event(SequenceEvent.tokens("a", 0, new int[] {3}, false));
            h.setStateTtlProcessingTime(9 * 60_000);
            h.event(SequenceEvent.tokens("a", 1, new int[] {3}, false));
            List<Prediction> out = h.predictions();
            assertThat(out.get(1).getProbabilities()).isNotEqualTo(out.get(0).getProbabilities());
        }
    }

    @Test
    void aBundleIsFlushedWhenItsTimeRunsOut() throws Exception {
        try (var h = harness(100, 50)) {
            h.open();
            h.setProcessingTime(0);
            h.event(SequenceEvent.tokens("a", 0, new int[] {3}, false));
            assertThat(h.predictions()).isEmpty();
            h.setProcessingTime(60);
            assertThat(h.predictions()).hasSize(1);
        }
    }

    @Test
    void textIsTokenizedWithTheServingModelsVocabularyOneStepPerToken() throws Exception {
        try (var h = harness(8, 60_000)) {
            h.open();
            h.event(SequenceEvent.text("a", 0, "bad", false));
            h.endInput1();
            List<Prediction> out = h.predictions();
            assertThat(out).as("one prediction per event, after its last token").hasSize(1);
            RnnState s = model.initialState();
            float[] want = null;
            for (int id : OperatorFixtures.VOCABULARY.encode("bad")) {
                SequenceModel.StepResult r = model.step(s, id);
                s = r.state();
                want = r.output();
            }
            assertThat(OperatorFixtures.floats(out.get(0).getProbabilities())).containsExactly(want);
        }
    }

    @Test
    void rollingScoresEveryEventAndTheEndMarkerGivesTheFinalManyToOne() throws Exception {
        try (var h = OperatorFixtures.harness(checkpoint, "sentiment", 1, SequenceOperatorConfig.of(4, 0,
                OutputMode.ROLLING))) {
            h.open();
            h.event(SequenceEvent.tokens("a", 0, new int[] {3}, false));
            h.event(SequenceEvent.tokens("a", 1, new int[] {4}, true));
            assertThat(h.predictions()).extracting(Prediction::getKind)
                    .containsExactly(PredictionKind.ROLLING, PredictionKind.MANY_TO_ONE);
        }
    }
}
