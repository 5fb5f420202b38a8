package io.streamnet.serving.sequence;

import io.streamnet.schemas.Prediction;
import io.streamnet.schemas.PredictionKind;
import io.streamnet.serving.batch.KeyRounds;
import io.streamnet.serving.event.EventOrder;
import io.streamnet.serving.model.ServedSequenceModel;
import io.streamnet.serving.reject.RejectReason;
import io.streamnet.serving.reject.Rejected;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * The per-key life of a sequence, the one home of its rules for every runtime. An event is checked
 * against the serving model, then against the key's order (DUPLICATE, OUT_OF_ORDER: dead letters);
 * its steps run in batched rounds of distinct keys ({@link KeyRounds}, one {@link SequenceStepper}
 * step each), its state carried between them and stored once, after its last step, with its seq.
 * Then the output mode decides the prediction, and an end marker closes the key (state, last seq
 * and gap timer go) where any other event arms the key's session gap. An end marker without input
 * predicts from the stored state (NO_OPEN_SEQUENCE without one); a gap closes the key as if its
 * marker came. A row the model fails on is a MODEL_ERROR and leaves its key's state as it was; the
 * runtime rolls a swapped-in model back after the round.
 *
 * <p>The runtime keeps the key's state ({@link KeyState}) and carries out what is decided
 * ({@link Outcomes}); nothing here knows Flink or Kafka Streams.
 */
public final class SequenceLifecycle implements AutoCloseable {
    /** The key's state as a runtime keeps it (Flink keyed state, a Kafka Streams store). */
    public interface KeyState {
        /** The key's stored state, or null when it has none (or none the runtime can decode). */
        float[] state(String key);

        /** The seq of the key's last event stepped, or null when its sequence is new (read only when the order is checked). */
        Long lastSeq(String key);

        /** The key's sequence stays open after event {@code lastSeq}, with {@code state}. */
        void put(String key, float[] state, long lastSeq);

        /** The key's sequence is over: its state and last seq go. */
        void clear(String key);
    }

    /** What the rules decided, for the runtime to carry out; the defaults are for metrics. */
    public interface Outcomes {
        void emit(Prediction p);

        void deadLetter(SequenceEvent e, Rejected why);

        /** The key's sequence closed (its state was cleared): its gap timer goes. */
        void closed(String key);

        /** The key's sequence stays open after {@code last}: (re)arm its session-gap timer. */
        void armGap(SequenceEvent last);

        /** The serving model failed on live input ({@code why}): a model an update swapped in is rolled back. */
        void failedInService(String why);

        /** A key without state stored its first. */
        default void opened(String key) {
        }

        /** A stored state was written under a model of another shape: the key starts afresh. */
        default void stateReset() {
        }

        /** A round of {@code rows} keys took {@code nanos}. */
        default void stepped(int rows, long nanos) {
        }
    }

    /**
     * @param capacity most keys per round (a runtime's batch size; 1 for one record at a time)
     */
    public record Settings(OutputMode mode, int forecastSteps, EventOrder order, int maxStepsPerEvent, int capacity) {
    }

    private final Settings settings;
    private final KeyState keys;
    private final Outcomes outcomes;
    private final KeyRounds<SequenceInput> rounds;
    /** {@link #endWithoutStep}, made once: a method reference per round would allocate. */
    private final Consumer<SequenceInput> endWithoutStep = this::endWithoutStep;
    /** The batch of {@link #run(SequenceEvent)}, reused: one record at a time allocates no list. */
    private final List<SequenceEvent> one = new ArrayList<>(1);
    private ServedSequenceModel served;
    private SequenceStepper stepper;

    public SequenceLifecycle(Settings settings, KeyState keys, Outcomes outcomes) {
        this.settings = settings;
        this.keys = keys;
        this.outcomes = outcomes;
        this.rounds = new KeyRounds<>(SequenceInput::steps, settings.capacity());
    }

    /** Serves {@code m} from the next round on (a runtime calls it for the first model and every swap). */
    public void serve(ServedSequenceModel m) {
        close(); // what the old model's rounds held on a device goes with it
        served = m;
        stepper = SequenceStepper.placed(m, settings.mode(), settings.forecastSteps(), settings.capacity());
    }

    public ServedSequenceModel served() {
        return served;
    }

    /** Frees what the stepper holds on a device. */
    @Override
    public void close() {
        if (stepper != null) {
            stepper.close();
        }
    }

    /** One event (a runtime that takes one record at a time). */
    public void run(SequenceEvent e) {
        one.add(e);
        try {
            run(one);
        } finally {
            one.clear();
        }
    }

    /** A batch of events, oldest first; each key's events keep their order. */
    public void run(List<SequenceEvent> batch) {
        for (SequenceEvent e : batch) {
            try {
                rounds.add(e.key, SequenceInput.of(e, served, settings.maxStepsPerEvent()));
            } catch (Rejected r) {
                outcomes.deadLetter(e, r);
            }
        }
        for (KeyRounds.Round<SequenceInput> round; (round = rounds.next(endWithoutStep)) != null; ) {
            step(round);
        }
    }

    /** A key silent for the session gap closes as if its end marker came ({@link #atGap}); {@code last}: what its last event said. */
    public void sessionGap(SequenceEvent last) {
        float[] stored = keys.state(last.key);
        PredictionKind kind = atGap(settings.mode());
        if (kind != null && stepper.readable(stored)) {
            outcomes.emit(stepper.predictionFrom(stored, last, kind));
        }
        close(last.key);
    }

    /** ONE batched step for the keys of {@code round}: gather, step, then per row the rules. */
    private void step(KeyRounds.Round<SequenceInput> round) {
        int rows = round.size();
        for (int i = 0; i < rows; i++) {
            SequenceInput in = round.item(i);
            int step = round.step(i);
            if (!in.dropped() && step == 0 && !inOrder(in)) {
                in.drop();
            }
            float[] s = in.dropped() ? null : step > 0 ? in.carried : keys.state(in.event.key);
            if (step == 0) {
                in.opens = s == null;
            }
            if (stepper.loadState(i, s)) {
                outcomes.stateReset(); // written under a model of another shape (a restore across a swap)
            }
            stepper.loadInput(i, in, step);
        }
        long t0 = System.nanoTime();
        int failed = stepper.run(rows);
        outcomes.stepped(rows, System.nanoTime() - t0);
        String firstFailure = null;
        for (int i = 0; i < rows; i++) {
            SequenceInput in = round.item(i);
            if (in.dropped()) {
                continue;
            }
            String why = failed > 0 ? stepper.failure(i) : null;
            if (why == null && round.last(i)) {
                why = completed(i, in);
            } else if (why == null) {
                // stored once, after the last step: a failed step leaves the key as it was; one array per event
                in.carried = stepper.stateInto(i, in.carried);
            }
            if (why != null) {
                firstFailure = firstFailure != null ? firstFailure : why;
                modelFailed(in, why);
            }
        }
        if (firstFailure != null) {
            outcomes.failedInService(firstFailure);
        }
    }

    /** The event's last step ran in {@code row}: predict, store or close, arm. Returns why the model failed, or null. */
    private String completed(int row, SequenceInput in) {
        SequenceEvent e = in.event;
        PredictionKind kind = afterEvent(settings.mode(), e.end);
        Prediction p = null;
        if (kind != null) {
            try {
                p = stepper.prediction(row, e, kind);
            } catch (RuntimeException ex) {
                return "the model failed on the prediction: " + ex;
            }
        }
        if (e.end) {
            close(e.key);
        } else {
            keys.put(e.key, stepper.state(row), e.seq);
            if (in.opens) {
                outcomes.opened(e.key);
            }
        }
        if (p != null) {
            outcomes.emit(p);
        }
        if (!e.end) {
            outcomes.armGap(e);
        }
        return null;
    }

    /** Whether the event comes after the key's last one stepped; else it is a dead letter. */
    private boolean inOrder(SequenceInput in) {
        EventOrder order = settings.order();
        if (!order.enabled()) {
            return true;
        }
        try {
            order.check(in.event.key, keys.lastSeq(in.event.key), in.event.seq);
            return true;
        } catch (Rejected r) {
            outcomes.deadLetter(in.event, r);
            return false;
        }
    }

    private void modelFailed(SequenceInput in, String why) {
        in.drop();
        outcomes.deadLetter(in.event, new Rejected(RejectReason.MODEL_ERROR, "model " + served + ": " + why));
    }

    /** An end marker that carries no input: the prediction is made from the key's state as it is. */
    private void endWithoutStep(SequenceInput in) {
        SequenceEvent e = in.event;
        if (!inOrder(in)) {
            return; // a replayed end marker must not close the key's next sequence
        }
        float[] stored = keys.state(e.key);
        PredictionKind kind = atEndWithoutInput(settings.mode());
        if (!stepper.readable(stored)) {
            outcomes.deadLetter(e, new Rejected(RejectReason.NO_OPEN_SEQUENCE, "end marker for key " + e.key
                    + ", which has no open sequence"));
        } else if (kind != null) {
            Prediction p = null;
            try {
                p = stepper.predictionFrom(stored, e, kind);
            } catch (RuntimeException ex) {
                String why = "the model failed closing the sequence: " + ex;
                modelFailed(in, why);
                outcomes.failedInService(why);
            }
            if (p != null) {
                outcomes.emit(p);
            }
        }
        close(e.key);
    }

    private void close(String key) {
        keys.clear(key);
        outcomes.closed(key);
    }

    // ---- what each output mode emits ----

    /**
     * After an event's last step: every event in MANY_TO_MANY and ROLLING (the final one of a
     * ROLLING sequence is MANY_TO_ONE), the end marker's in MANY_TO_ONE and FORECAST (with the
     * generated values); null: nothing.
     */
    static PredictionKind afterEvent(OutputMode mode, boolean end) {
        return switch (mode) {
            case MANY_TO_MANY -> PredictionKind.MANY_TO_MANY;
            case ROLLING -> end ? PredictionKind.MANY_TO_ONE : PredictionKind.ROLLING;
            case MANY_TO_ONE -> end ? PredictionKind.MANY_TO_ONE : null;
            case FORECAST -> end ? PredictionKind.FORECAST : null;
        };
    }

    /** At an end marker without input, from the stored state: none in MANY_TO_MANY, where it only closes the sequence. */
    static PredictionKind atEndWithoutInput(OutputMode mode) {
        return switch (mode) {
            case MANY_TO_ONE, ROLLING -> PredictionKind.MANY_TO_ONE;
            case FORECAST -> PredictionKind.FORECAST;
            case MANY_TO_MANY -> null;
        };
    }

    /** At a session gap: MANY_TO_ONE and ROLLING emit the score of the state; the others nothing. */
    static PredictionKind atGap(OutputMode mode) {
        return mode == OutputMode.MANY_TO_ONE || mode == OutputMode.ROLLING ? PredictionKind.MANY_TO_ONE : null;
    }
}
