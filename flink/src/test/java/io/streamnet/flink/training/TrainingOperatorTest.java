package io.streamnet.flink.training;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.streamnet.engine.checkpoint.Checkpoints;
import io.streamnet.engine.cpu.CpuBackend;
import io.streamnet.engine.nn.Parameter;
import io.streamnet.flink.operator.DeadLetterOutput;
import io.streamnet.flink.operator.ModelFollowingOperator;
import io.streamnet.flink.source.RawRecord;
import io.streamnet.rnn.cell.CellType;
import io.streamnet.rnn.model.ModelConfig;
import io.streamnet.rnn.model.OutputType;
import io.streamnet.rnn.model.RnnCheckpoints;
import io.streamnet.rnn.model.SequenceModel;
import io.streamnet.rnn.text.Vocabulary;
import io.streamnet.rnn.train.SequenceBatch;
import io.streamnet.rnn.train.SequenceTrainer;
import io.streamnet.schemas.DeadLetter;
import io.streamnet.serving.model.ModelUpdates;
import io.streamnet.serving.model.ServedSequenceModel;
import io.streamnet.serving.event.EventOrder;
import io.streamnet.serving.sequence.SequenceEvent;
import io.streamnet.training.HeldOutSlice;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedTwoInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

/** The training operator's bookkeeping, gradients, held-out slice and snapshots, in Flink's keyed test harness. */
class TrainingOperatorTest {
    static final Vocabulary VOCAB = Vocabulary.chars("abcdefgh");
    static final ModelConfig CONFIG = ModelConfig.tokens(CellType.GRU, VOCAB.size(), 4, 6, 1, 0f, 2,
            OutputType.MANY_TO_ONE);

    static byte[] checkpoint(SequenceModel m, long version) throws Exception {
        return Checkpoints.toBytes(RnnCheckpoints.toCheckpoint(m, VOCAB, Map.of(ServedSequenceModel.META_ID, "s",
                ServedSequenceModel.META_VERSION, Long.toString(version))));
    }

    final SequenceModel model = new SequenceModel(CpuBackend.instance(), CONFIG, 11);

    static final class Harness
            extends KeyedTwoInputStreamOperatorTestHarness<String, SequenceEvent, RawRecord, TrainingMessage> {
        private final ModelFollowingOperator<SequenceEvent, ServedSequenceModel, TrainingMessage> op;

        Harness(ModelFollowingOperator<SequenceEvent, ServedSequenceModel, TrainingMessage> op) throws Exception {
            super(op, e -> e.key, null, Types.STRING);
            this.op = op;
        }

        void flush() throws Exception {
            op.flush();
        }

        void event(SequenceEvent e) throws Exception {
            processElement1(new StreamRecord<>(e, 0));
        }

        List<TrainingMessage> messages() {
            List<TrainingMessage> out = new ArrayList<>();
            for (Object o : getOutput()) {
                if (o instanceof StreamRecord<?> r && r.getValue() instanceof TrainingMessage m) {
                    out.add(m);
                }
            }
            getOutput().clear();
            return out;
        }

        List<DeadLetter> deadLetters() {
            var q = getSideOutput(DeadLetterOutput.TAG);
            List<DeadLetter> out = new ArrayList<>();
            if (q != null) {
                q.forEach(r -> out.add(r.getValue()));
            }
            return out;
        }
    }

    static final byte[] SECRET = "a secret of the training job".getBytes(java.nio.charset.StandardCharsets.UTF_8);

    Harness harness(int windowsPerGradient, double heldOut) throws Exception {
        return harness(windowsPerGradient, new HeldOutSlice(heldOut, SECRET), true, EventOrder.CHECKED);
    }

    Harness harness(int windowsPerGradient, HeldOutSlice slice, boolean secretGiven, EventOrder order)
            throws Exception {
        return new Harness(new ManyToOneTrainingOperator(checkpoint(model, 1), "s", 1, new TrainingOperatorConfig(100, 60_000,
                Duration.ofHours(1), 1 << 20, 1000, 5, 5, windowsPerGradient, 0f, slice, secretGiven, order, null, 3)));
    }

    /** Each key's sequence split into word events, the last one labelled and flagged end. */
    static List<SequenceEvent> conversation(String key, int label, String... parts) {
        List<SequenceEvent> out = new ArrayList<>();
        for (int i = 0; i < parts.length; i++) {
            SequenceEvent e = SequenceEvent.text(key, i, parts[i], i == parts.length - 1);
            if (i == parts.length - 1) {
                e.withLabel(label);
            }
            e.withTimes(0, 1000 + i);
            out.add(e);
        }
        return out;
    }

    /** rnn-core's gradient of the same sequences (the sum of each one's loss gradient). */
    float[] reference(List<int[]> seqs, int[] labels) {
        SequenceTrainer t = new SequenceTrainer(model, null, 0f, 0);
        t.gradients(SequenceBatch.tokens(seqs, labels));
        List<Parameter> ps = model.parameters();
        int n = ps.stream().mapToInt(p -> p.value().size()).sum();
        float[] flat = new float[n];
        int at = 0;
        for (Parameter p : ps) {
            float[] g = p.grad().toArray();
            for (float v : g) {
                flat[at++] = v * seqs.size();
            }
        }
        return flat;
    }

    static void interleave(Harness h, List<List<SequenceEvent>> convs) throws Exception {
        int longest = convs.stream().mapToInt(List::size).max().orElse(0);
        for (int i = 0; i < longest; i++) {
            for (List<SequenceEvent> c : convs) {
                if (i < c.size()) {
                    h.event(c.get(i));
                }
            }
        }
    }

    @Test
    void theGradientOfInterleavedKeysEqualsRnnCoresOnTheirSequences() throws Exception {
        try (Harness h = harness(3, 0)) {
            h.open();
            interleave(h, List.of(conversation("k1", 1, "ab", "cd"), conversation("k2", 0, "hhh"),
                    conversation("k3", 1, "a", "b", "gg")));
            h.flush();
            List<TrainingMessage> out = h.messages();

            assertThat(out).singleElement().matches(TrainingMessage::isGradient);
            TrainingMessage g = out.get(0);
            assertThat(g.version).isEqualTo(1);
            assertThat(g.windows).isEqualTo(3);
            assertThat(g.oldestMs).isEqualTo(1000);
            // Batched in the order the sequences ended (the batch sorts them by length; sums don't care).
            float[] want = reference(List.of(VOCAB.encode("hhh"), VOCAB.encode("abcd"), VOCAB.encode("abgg")),
                    new int[] {0, 1, 1});
            for (int i = 0; i < want.length; i++) {
                assertThat(g.values[i]).isCloseTo(want[i], within(1e-5f));
            }
        }
    }

    @Test
    void aKeysSequenceIsLearnedFromItsLastMaxStepsTokens() throws Exception {
        try (Harness h = harness(1, 0)) {
            h.open();
            for (SequenceEvent e : conversation("k", 1, "abc", "defg", "h")) {
                h.event(e);
            }
            h.flush();
            float[] want = reference(List.of(VOCAB.encode("defgh")), new int[] {1}); // max steps 5
            float[] got = h.messages().get(0).values;
            for (int i = 0; i < want.length; i++) {
                assertThat(got[i]).isCloseTo(want[i], within(1e-5f));
            }
        }
    }

    @Test
    void heldOutKeysAreNeverTrainedOnAndGoToTheOwner() throws Exception {
        HeldOutSlice slice = new HeldOutSlice(0.5, SECRET);
        List<String> keys = new ArrayList<>();
        for (int i = 0; keys.size() < 6; i++) {
            keys.add("conv-" + i);
        }
        long held = keys.stream().filter(slice::holds).count();
        try (Harness h = harness(100, 0.5)) {
            h.open();
            for (String k : keys) {
                for (SequenceEvent e : conversation(k, 1, "ab", "c")) {
                    h.event(e);
                }
            }
            h.endInput1();
            List<TrainingMessage> out = h.messages();
            assertThat(out.stream().filter(m -> !m.isGradient()).count()).isEqualTo(held);
            assertThat(out.stream().filter(m -> !m.isGradient()).findFirst().orElseThrow().tokens)
                    .containsExactly(VOCAB.encode("abc"));
            assertThat(out.stream().filter(TrainingMessage::isGradient).mapToInt(m -> m.windows).sum())
                    .isEqualTo(6 - (int) held);
        }
    }

    @Test
    void aSnapshotMidSequenceRestoresToTheUninterruptedGradients() throws Exception {
        List<List<SequenceEvent>> convs = List.of(conversation("k1", 1, "ab", "cd", "e"),
                conversation("k2", 0, "hh", "g"));
        List<TrainingMessage> uninterrupted;
        try (Harness h = harness(100, 0)) {
            h.open();
            interleave(h, convs);
            h.endInput1();
            uninterrupted = h.messages();
        }
        OperatorSubtaskState snapshot;
        List<TrainingMessage> out = new ArrayList<>();
        try (Harness h = harness(100, 0)) {
            h.open();
            h.event(convs.get(0).get(0));
            h.event(convs.get(1).get(0));
            h.event(convs.get(0).get(1));
            h.prepareSnapshotPreBarrier(1);
            snapshot = h.snapshot(1, 1);
            out.addAll(h.messages());
        }
        try (Harness h = harness(100, 0)) {
            h.initializeState(snapshot);
            h.open();
            h.event(convs.get(1).get(1));
            h.event(convs.get(0).get(2));
            h.endInput1();
            out.addAll(h.messages());
        }
        assertThat(out).as("nothing had ended before the barrier: one gradient after").hasSize(1);
        assertThat(out.get(0).windows).isEqualTo(2);
        assertThat(out.get(0).values).containsExactly(uninterrupted.get(0).values);
    }

    @Test
    void aSwapShipsWhatWasLearnedOnTheOldVersionMarkedWithIt() throws Exception {
        try (Harness h = harness(100, 0)) {
            h.open();
            for (SequenceEvent e : conversation("k", 1, "ab")) {
                h.event(e);
            }
            h.flush();
            SequenceModel next = new SequenceModel(CpuBackend.instance(), CONFIG, 12);
            byte[] ckpt = checkpoint(next, 2);
            h.processElement2(new StreamRecord<>(new RawRecord("model-updates", 0, 0, 0, null,
                    ModelUpdates.codec(Integer.MAX_VALUE).encode(ModelUpdates.toUpdate("s", 2, ckpt, Map.of())))));
            for (SequenceEvent e : conversation("k", 0, "cd")) {
                h.event(e);
            }
            h.endInput1();
            List<TrainingMessage> out = h.messages();
            assertThat(out).extracting(m -> m.version).containsExactly(1L, 2L);
        }
    }

    @Test
    void aModelOfAnotherArchitectureIsRefusedNotTrainedOn() throws Exception {
        try (Harness h = harness(100, 0)) {
            h.open();
            SequenceModel wider = new SequenceModel(CpuBackend.instance(), ModelConfig.tokens(CellType.GRU,
                    VOCAB.size(), 4, 9, 1, 0f, 2, OutputType.MANY_TO_ONE), 1);
            h.processElement2(new StreamRecord<>(new RawRecord("model-updates", 0, 0, 0, null,
                    ModelUpdates.codec(Integer.MAX_VALUE).encode(ModelUpdates.toUpdate("s", 2, checkpoint(wider, 2),
                            Map.of())))));
            assertThat(h.deadLetters()).singleElement().extracting(d -> d.getReason().toString())
                    .isEqualTo("INCOMPATIBLE");
            for (SequenceEvent e : conversation("k", 0, "cd")) {
                h.event(e);
            }
            h.endInput1();
            assertThat(h.messages()).extracting(m -> m.version).containsExactly(1L);
        }
    }

    @Test
    void aLabelOutsideTheModelsClassesIsADeadLetter() throws Exception {
        try (Harness h = harness(1, 0)) {
            h.open();
            for (SequenceEvent e : conversation("k", 7, "ab")) {
                h.event(e);
            }
            h.endInput1();
            assertThat(h.deadLetters()).singleElement().extracting(d -> d.getReason().toString()).isEqualTo("BAD_LABEL");
            assertThat(h.messages()).isEmpty();
        }
    }

    @Test
    void aRepeatedOrEarlierEventOfAKeyIsADeadLetterAndNotLearnedTwice() throws Exception {
        try (Harness h = harness(1, 0)) {
            h.open();
            List<SequenceEvent> c = conversation("k", 1, "ab", "cd", "e");
            h.event(c.get(0));
            h.event(c.get(1));
            h.event(SequenceEvent.text("k", 1, "cd", false)); // a producer's retry
            h.event(SequenceEvent.text("k", 0, "ab", false)); // a replay
            h.event(c.get(2));
            h.endInput1();
            assertThat(h.deadLetters()).extracting(d -> d.getReason().toString())
                    .containsExactly("DUPLICATE", "OUT_OF_ORDER");
            float[] want = reference(List.of(VOCAB.encode("abcde")), new int[] {1});
            float[] got = h.messages().get(0).values;
            for (int i = 0; i < want.length; i++) {
                assertThat(got[i]).isCloseTo(want[i], within(1e-5f));
            }
        }
    }

    @Test
    void aKeyStartsOverAtAnyNumberOnceItsSequenceEndedAndTheCheckCanBeTurnedOff() throws Exception {
        try (Harness h = harness(100, new HeldOutSlice(0, SECRET), true, EventOrder.UNCHECKED)) {
            h.open();
            h.event(SequenceEvent.text("k", 3, "ab", false));
            h.event(SequenceEvent.text("k", 3, "ab", true).withLabel(1));
            h.endInput1();
            assertThat(h.deadLetters()).isEmpty();
        }
        try (Harness h = harness(100, 0)) {
            h.open();
            for (SequenceEvent e : conversation("k", 1, "ab", "cd")) {
                h.event(e);
            }
            for (SequenceEvent e : conversation("k", 0, "ab", "cd")) {
                h.event(e);
            }
            h.endInput1();
            assertThat(h.deadLetters()).isEmpty();
            assertThat(h.messages()).singleElement().extracting(m -> m.windows).isEqualTo(2);
        }
    }

    /** Key i's one-event labelled sequence, its text telling the key. */
    static SequenceEvent keyed(int i) {
        String text = "" + "abcdefgh".charAt(i % 8) + "abcdefgh".charAt(i / 8);
        return SequenceEvent.text("conv-" + i, 0, text, true).withLabel(1);
    }

    static java.util.Set<String> heldTexts(List<TrainingMessage> out) {
        java.util.Set<String> held = new java.util.TreeSet<>();
        out.stream().filter(m -> !m.isGradient()).forEach(m -> held.add(VOCAB.decode(m.tokens)));
        return held;
    }

    @Test
    void aGeneratedHeldOutSecretIsKeptInStateSoARestoreHoldsOutTheSameKeys() throws Exception {
        byte[] first = HeldOutSlice.newSecret();
        java.util.Set<String> expected = new java.util.TreeSet<>();
        HeldOutSlice slice = new HeldOutSlice(0.5, first);
        for (int i = 0; i < 64; i++) {
            if (slice.holds("conv-" + i)) {
                expected.add(VOCAB.decode(VOCAB.encode(keyed(i).text)));
            }
        }
        OperatorSubtaskState snapshot;
        try (Harness h = harness(100, slice, false, EventOrder.CHECKED)) {
            h.open();
            snapshot = h.snapshot(1, 1);
        }
        // a resubmitted job generates another secret; the one in its state wins
        try (Harness h = harness(100, new HeldOutSlice(0.5, HeldOutSlice.newSecret()), false, EventOrder.CHECKED)) {
            h.initializeState(snapshot);
            h.open();
            for (int i = 0; i < 64; i++) {
                h.event(keyed(i));
            }
            h.endInput1();
            assertThat(heldTexts(h.messages())).isEqualTo(expected);
        }
    }
}
