package io.streamnet.serving.sequence;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamnet.engine.cpu.CpuBackend;
import io.streamnet.rnn.cell.CellType;
import io.streamnet.rnn.model.ModelConfig;
import io.streamnet.rnn.model.OutputType;
import io.streamnet.rnn.model.SequenceModel;
import io.streamnet.rnn.model.Task;
import io.streamnet.rnn.text.Vocabulary;
import io.streamnet.schemas.Prediction;
import io.streamnet.schemas.PredictionKind;
import io.streamnet.serving.event.EventOrder;
import io.streamnet.serving.model.PoisonModels;
import io.streamnet.serving.model.ServedSequenceModel;
import io.streamnet.serving.reject.Rejected;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The per-key rules of a sequence, both runtimes' in one place, on fake ports. */
class SequenceLifecycleTest {
    private static final Vocabulary VOCAB = Vocabulary.words(List.of("great phone works well"), 50, 1);
    private final SequenceModel model = new SequenceModel(CpuBackend.instance(),
            ModelConfig.tokens(CellType.GRU, VOCAB.size(), 8, 12, 1, 0f, 2, OutputType.MANY_TO_ONE), 3);
    private final ServedSequenceModel served = new ServedSequenceModel("m", 4, new byte[0], model, VOCAB);
    private final Ports ports = new Ports();

    /** The runtime's side, kept in maps and lists: what a test reads back. */
    private static final class Ports implements SequenceLifecycle.KeyState, SequenceLifecycle.Outcomes {
        final Map<String, float[]> states = new HashMap<>();
        final Map<String, Long> lastSeqs = new HashMap<>();
        final List<Prediction> predictions = new ArrayList<>();
        final List<String> deadLetters = new ArrayList<>();
        final List<String> closed = new ArrayList<>();
        final List<String> gapsArmed = new ArrayList<>();
        final List<String> failures = new ArrayList<>();
        final List<String> opened = new ArrayList<>();
        int puts;
        int resets;

        @Override
        public float[] state(String key) {
            return states.get(key);
        }

        @Override
        public Long lastSeq(String key) {
            return lastSeqs.get(key);
        }

        @Override
        public void put(String key, float[] state, long lastSeq) {
            puts++;
            states.put(key, state);
            lastSeqs.put(key, lastSeq);
        }

        @Override
        public void clear(String key) {
            states.remove(key);
            lastSeqs.remove(key);
        }

        @Override
        public void emit(Prediction p) {
            predictions.add(p);
        }

        @Override
        public void deadLetter(SequenceEvent e, Rejected why) {
            deadLetters.add(why.reason().name());
        }

        @Override
        public void closed(String key) {
            closed.add(key);
        }

        @Override
        public void armGap(SequenceEvent last) {
            gapsArmed.add(last.key + "@" + last.seq);
        }

        @Override
        public void failedInService(String why) {
            failures.add(why);
        }

        @Override
        public void opened(String key) {
            opened.add(key);
        }

        @Override
        public void stateReset() {
            resets++;
        }

        List<PredictionKind> kinds() {
            return predictions.stream().map(Prediction::getKind).toList();
        }
    }

    private SequenceLifecycle lifecycle(OutputMode mode, EventOrder order, ServedSequenceModel m) {
        SequenceLifecycle l = new SequenceLifecycle(new SequenceLifecycle.Settings(mode, 3, order, 100, 4), ports, ports);
        l.serve(m);
        return l;
    }

    private SequenceLifecycle lifecycle(OutputMode mode) {
        return lifecycle(mode, EventOrder.CHECKED, served);
    }

    private static SequenceEvent text(String key, int seq, String text, boolean end) {
        return SequenceEvent.text(key, seq, text, end);
    }

    private float[] stateAfter(String... words) {
        var s = model.initialState();
        for (String w : words) {
            s = model.step(s, VOCAB.id(w)).state();
        }
        return s.values();
    }

    @Test
    void manyToOneEmitsOnceAtEndOfSequenceAndClears() {
        SequenceLifecycle l = lifecycle(OutputMode.MANY_TO_ONE);
        l.run(text("a", 0, "great", false));
        assertThat(ports.predictions).isEmpty();
        l.run(text("a", 1, "phone", true));

        assertThat(ports.kinds()).containsExactly(PredictionKind.MANY_TO_ONE);
        float[] want = model.step(model.step(model.initialState(), VOCAB.id("great")).state(), VOCAB.id("phone"))
                .output();
        assertThat(ports.predictions.get(0).getProbabilities()).containsExactly(want[0], want[1]);
        assertThat(ports.states).isEmpty();
        assertThat(ports.lastSeqs).isEmpty();
        assertThat(ports.closed).containsExactly("a");
    }

    @Test
    void anEventThatLeavesTheSequenceOpenStoresItsStateAndSeqAndArmsTheGap() {
        lifecycle(OutputMode.MANY_TO_ONE).run(text("a", 7, "great", false));

        assertThat(ports.states.get("a")).containsExactly(stateAfter("great"));
        assertThat(ports.lastSeqs).containsEntry("a", 7L);
        assertThat(ports.gapsArmed).containsExactly("a@7");
        assertThat(ports.opened).containsExactly("a");
        assertThat(ports.closed).isEmpty();
    }

    @Test
    void manyToManyEmitsAfterEveryEvent() {
        SequenceLifecycle l = lifecycle(OutputMode.MANY_TO_MANY);
        l.run(text("a", 0, "great", false));
        l.run(text("a", 1, "phone", false));

        assertThat(ports.kinds()).containsExactly(PredictionKind.MANY_TO_MANY, PredictionKind.MANY_TO_MANY);
    }

    @Test
    void rollingEmitsAScoreAfterEveryEventAndTheFinalOneAsManyToOne() {
        SequenceLifecycle l = lifecycle(OutputMode.ROLLING);
        l.run(text("a", 0, "great", false));
        l.run(text("a", 1, "phone", true));

        assertThat(ports.kinds()).containsExactly(PredictionKind.ROLLING, PredictionKind.MANY_TO_ONE);
        Prediction last = ports.predictions.get(1);
        assertThat(last.getModelId()).isEqualTo("m");
        assertThat(last.getModelVersion()).isEqualTo(4);
    }

    @Test
    void forecastEmitsTheGeneratedValuesAtTheEndMarker() {
        SequenceModel f = new SequenceModel(CpuBackend.instance(),
                ModelConfig.features(CellType.GRU, 2, 6, 1, 0f, 2, Task.REGRESSION, OutputType.MANY_TO_MANY), 1);
        SequenceLifecycle l = lifecycle(OutputMode.FORECAST, EventOrder.CHECKED,
                new ServedSequenceModel("f", 1, new byte[0], f, null));
        l.run(SequenceEvent.features("k", 0, new float[] {0.5f, 0f}, false));
        assertThat(ports.predictions).isEmpty();
        l.run(SequenceEvent.features("k", 1, new float[] {1f, 0f}, true));

        assertThat(ports.kinds()).containsExactly(PredictionKind.FORECAST);
        assertThat(ports.predictions.get(0).getValues()).hasSize(3 * 2);
    }

    @Test
    void anEndMarkerWithoutInputPredictsFromTheStoredStateAndCloses() {
        SequenceLifecycle l = lifecycle(OutputMode.MANY_TO_ONE);
        l.run(text("a", 0, "great phone", false));
        l.run(text("a", 1, null, true));

        float[] want = model.step(model.step(model.initialState(), VOCAB.id("great")).state(), VOCAB.id("phone"))
                .output();
        assertThat(ports.predictions.get(0).getProbabilities()).containsExactly(want[0], want[1]);
        assertThat(ports.states).isEmpty();
        assertThat(ports.closed).containsExactly("a");
    }

    @Test
    void anEndMarkerForAKeyWithoutStateIsANoOpenSequenceDeadLetter() {
        lifecycle(OutputMode.MANY_TO_ONE).run(text("a", 0, null, true));

        assertThat(ports.deadLetters).containsExactly("NO_OPEN_SEQUENCE");
        assertThat(ports.predictions).isEmpty();
    }

    @Test
    void aDuplicateSeqIsADeadLetterAndDoesNotStepTheKeyAgain() {
        SequenceLifecycle l = lifecycle(OutputMode.MANY_TO_MANY);
        l.run(text("a", 0, "great", false));
        l.run(text("a", 0, "great", false));

        assertThat(ports.deadLetters).containsExactly("DUPLICATE");
        assertThat(ports.predictions).hasSize(1);
        assertThat(ports.states.get("a")).containsExactly(stateAfter("great"));
    }

    @Test
    void anEarlierSeqIsOutOfOrder() {
        SequenceLifecycle l = lifecycle(OutputMode.MANY_TO_MANY);
        l.run(text("a", 5, "great", false));
        l.run(text("a", 4, "phone", false));

        assertThat(ports.deadLetters).containsExactly("OUT_OF_ORDER");
    }

    @Test
    void aReplayedEndMarkerDoesNotCloseTheKeysNextSequence() {
        SequenceLifecycle l = lifecycle(OutputMode.MANY_TO_ONE);
        l.run(text("a", 3, "great", false));
        l.run(text("a", 2, null, true));

        assertThat(ports.deadLetters).containsExactly("OUT_OF_ORDER");
        assertThat(ports.states).containsKey("a");
        assertThat(ports.closed).isEmpty();
    }

    @Test
    void withTheOrderCheckOffARepeatedSeqIsSteppedAndNoSeqIsRead() {
        SequenceLifecycle l = lifecycle(OutputMode.MANY_TO_MANY, EventOrder.UNCHECKED, served);
        l.run(text("a", 1, "great", false));
        ports.lastSeqs.put("a", 99L); // would refuse seq 1, were it read
        l.run(text("a", 1, "great", false));

        assertThat(ports.deadLetters).isEmpty();
        assertThat(ports.predictions).hasSize(2);
    }

    @Test
    void anEventOfManyTokensIsStoredOnceAfterItsLastStep() {
        lifecycle(OutputMode.MANY_TO_ONE).run(text("a", 0, "great phone works", false));

        assertThat(ports.puts).isEqualTo(1);
        assertThat(ports.states.get("a")).containsExactly(stateAfter("great", "phone", "works"));
    }

    @Test
    void eventsOfOneBatchKeepEachKeysOrder() {
        lifecycle(OutputMode.MANY_TO_MANY).run(List.of(text("a", 0, "great", false), text("b", 0, "phone", false),
                text("a", 1, "works well", false)));

        assertThat(ports.predictions).extracting(p -> p.getKey() + "@" + p.getStep())
                .containsExactly("a@0", "b@0", "a@1");
        assertThat(ports.states.get("a")).containsExactly(stateAfter("great", "works", "well"));
    }

    @Test
    void anInputTheModelCannotTakeIsADeadLetterAndNothingSteps() {
        lifecycle(OutputMode.MANY_TO_ONE).run(text("a", 0, "   ", false));

        assertThat(ports.deadLetters).containsExactly("EMPTY_TEXT");
        assertThat(ports.states).isEmpty();
    }

    @Test
    void aRowTheModelFailsOnIsAModelErrorLeavesItsKeyAsItWasAndIsReportedOnce() {
        SequenceModel latent = PoisonModels.failsAbove(OutputType.MANY_TO_MANY);
        SequenceLifecycle l = lifecycle(OutputMode.MANY_TO_MANY, EventOrder.CHECKED,
                new ServedSequenceModel("m", 2, new byte[0], latent, null));
        l.run(List.of(SequenceEvent.features("a", 0, new float[] {5f}, false),
                SequenceEvent.features("b", 0, new float[] {0.1f}, false),
                SequenceEvent.features("c", 0, new float[] {7f}, false)));

        assertThat(ports.deadLetters).containsExactly("MODEL_ERROR", "MODEL_ERROR");
        assertThat(ports.predictions).extracting(p -> p.getKey().toString()).containsExactly("b");
        assertThat(ports.states).containsOnlyKeys("b");
        assertThat(ports.failures).hasSize(1);
    }

    @Test
    void aSessionGapClosesAManyToOneSequenceWithTheScoreOfItsState() {
        SequenceLifecycle l = lifecycle(OutputMode.MANY_TO_ONE);
        l.run(text("a", 0, "great", false));
        l.sessionGap(text("a", 0, null, false));

        assertThat(ports.kinds()).containsExactly(PredictionKind.MANY_TO_ONE);
        float[] want = model.step(model.initialState(), VOCAB.id("great")).output();
        assertThat(ports.predictions.get(0).getProbabilities()).containsExactly(want[0], want[1]);
        assertThat(ports.states).isEmpty();
        assertThat(ports.closed).containsExactly("a");
    }

    @Test
    void aSessionGapInManyToManyClosesWithoutAPrediction() {
        SequenceLifecycle l = lifecycle(OutputMode.MANY_TO_MANY);
        l.run(text("a", 0, "great", false));
        l.sessionGap(text("a", 0, null, false));

        assertThat(ports.predictions).hasSize(1);
        assertThat(ports.states).isEmpty();
    }

    @Test
    void aStateOfAnotherShapeStartsAfreshAndCountsAsAReset() {
        ports.states.put("a", new float[3]);
        lifecycle(OutputMode.MANY_TO_ONE).run(text("a", 0, "great", false));

        assertThat(ports.resets).isEqualTo(1);
        assertThat(ports.states.get("a")).containsExactly(stateAfter("great"));
        assertThat(ports.opened).as("the key had state, of another shape").isEmpty();
    }
}
