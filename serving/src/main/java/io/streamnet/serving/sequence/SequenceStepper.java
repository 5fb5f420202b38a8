package io.streamnet.serving.sequence;

import io.streamnet.engine.tensor.Tensor;
import io.streamnet.rnn.model.SequenceModel;
import io.streamnet.rnn.state.RnnState;
import io.streamnet.rnn.state.StateBatch;
import io.streamnet.schemas.Prediction;
import io.streamnet.schemas.PredictionKind;
import io.streamnet.serving.model.ServedSequenceModel;
import io.streamnet.serving.output.Predictions;
import io.streamnet.serving.reject.RejectReason;
import io.streamnet.serving.reject.Rejected;

/**
 * One runtime's workspace for stepping many keys of a sequence model at once, and the rules of
 * what each output mode emits. The runtime keeps the per-key state (Flink keyed state, a Kafka
 * Streams store) and calls, per round of distinct keys: {@link #loadState} and {@link #loadInput}
 * for each row, {@link #run} once (ONE batched step), then {@link #state} to store and
 * {@link #completed} to emit. Nothing here allocates per step but the outputs it returns.
 */
public final class SequenceStepper {
    private final SequenceModel model;
    private final String modelId;
    private final long version;
    private final OutputMode mode;
    private final int forecastSteps;
    private final StateBatch batch;
    private final Tensor features;
    private final int[] tokens;
    private final int stateSize;

    /**
     * @param capacity most keys per round
     */
    public SequenceStepper(ServedSequenceModel served, OutputMode mode, int forecastSteps, int capacity) {
        this(served.model(), served.modelId(), served.version(), mode, forecastSteps, capacity);
    }

    /** A stepper of a model served as part of another (a frame model's smoother), named by {@code modelId} v{@code version}. */
    public SequenceStepper(SequenceModel model, String modelId, long version, OutputMode mode, int forecastSteps,
                           int capacity) {
        String why = mode.incompatibility(model);
        if (why != null) {
            throw new IllegalArgumentException(why);
        }
        this.model = model;
        this.modelId = modelId;
        this.version = version;
        this.mode = mode;
        this.forecastSteps = forecastSteps;
        this.batch = model.newStateBatch(capacity);
        this.features = model.config().tokenInput() ? null : Tensor.zeros(capacity, model.config().inputSize());
        this.tokens = new int[capacity];
        this.stateSize = model.stateLayout().size();
    }

    /** Whether a stored state can be read by this model (one written under a model of another shape cannot). */
    private boolean readable(float[] stored) {
        return stored != null && stored.length == stateSize;
    }

    /**
     * Puts a key's stored state into {@code row}: the initial state when it has none, or when it was
     * written under a model of another shape (a restore across a swap); returns true in that last
     * case, which the runtime counts as a state reset.
     */
    public boolean loadState(int row, float[] stored) {
        if (readable(stored)) {
            batch.load(row, stored);
            return false;
        }
        batch.load(row, model.initialState().values());
        return stored != null;
    }

    /** Puts step {@code step} of {@code in} into {@code row}. */
    public void loadInput(int row, SequenceInput in, int step) {
        if (features != null) {
            System.arraycopy(in.event.features, 0, features.data(), row * features.cols(), features.cols());
        } else {
            tokens[row] = in.token(step);
        }
    }

    /** Puts a feature vector ({@code inputSize} floats of {@code data} from {@code offset}) into {@code row}. */
    public void loadFeatures(int row, float[] data, int offset) {
        System.arraycopy(data, offset, features.data(), row * features.cols(), features.cols());
    }

    /** ONE batched step of rows [0, rows). */
    public void run(int rows) {
        model.stepBatch(batch, rows, tokens, features);
    }

    /** The new state of {@code row}, as a fresh array (a runtime may keep it). */
    public float[] state(int row) {
        float[] s = new float[stateSize];
        batch.saveInto(row, s);
        return s;
    }

    /** The model's output for {@code row} after the step: class probabilities or values. */
    public float[] output(int row) {
        return batch.output(row).toArray();
    }

    /** The new state of {@code row}, with its layout. */
    public RnnState rnnState(int row) {
        return batch.save(row);
    }

    /**
     * The prediction this mode emits after the event's last step ran in {@code row}, or null: every
     * event in MANY_TO_MANY and ROLLING (the final one of a ROLLING sequence is MANY_TO_ONE), the end
     * marker's in MANY_TO_ONE and FORECAST (with the generated values).
     */
    public Prediction completed(int row, SequenceEvent e) {
        float[] out = batch.output(row).toArray();
        return switch (mode) {
            case MANY_TO_MANY -> predict(e, PredictionKind.MANY_TO_MANY, out, null);
            case ROLLING -> predict(e, e.end ? PredictionKind.MANY_TO_ONE : PredictionKind.ROLLING, out, null);
            case MANY_TO_ONE -> e.end ? predict(e, PredictionKind.MANY_TO_ONE, out, null) : null;
            case FORECAST -> e.end ? predict(e, PredictionKind.FORECAST, out,
                    model.forecast(batch.save(row), e.features, out, forecastSteps)) : null;
        };
    }

    /**
     * An end marker that carries no input: the prediction is made from the key's state as it is
     * (null in MANY_TO_MANY, where the marker only closes the sequence).
     *
     * @throws Rejected NO_OPEN_SEQUENCE when the key has no state this model can read
     */
    public Prediction closeWithoutStep(SequenceEvent e, float[] stored) {
        if (!readable(stored)) {
            throw new Rejected(RejectReason.NO_OPEN_SEQUENCE, "end marker for key " + e.key
                    + ", which has no open sequence");
        }
        return switch (mode) {
            case MANY_TO_ONE, ROLLING -> predict(e, PredictionKind.MANY_TO_ONE, headOf(stored), null);
            case FORECAST -> {
                float[] out = headOf(stored);
                yield predict(e, PredictionKind.FORECAST, out,
                        model.forecast(new RnnState(model.stateLayout(), stored.clone()), null, out, forecastSteps));
            }
            case MANY_TO_MANY -> null;
        };
    }

    /**
     * A key silent for the session gap is closed as if its end marker came: MANY_TO_ONE and ROLLING
     * emit the score of its state (null otherwise, or when the state is unreadable).
     *
     * @param last what the key's last event said (key, seq, times, label)
     */
    public Prediction sessionClosed(SequenceEvent last, float[] stored) {
        if (!readable(stored) || (mode != OutputMode.MANY_TO_ONE && mode != OutputMode.ROLLING)) {
            return null;
        }
        return predict(last, PredictionKind.MANY_TO_ONE, headOf(stored), null);
    }

    /** The model's output for a stored state: the head applied to the last layer's h. */
    private float[] headOf(float[] s) {
        batch.load(0, s);
        model.head(batch.h(model.encoder().size() - 1).slice(0, 1), batch.outputBuffer().slice(0, 1));
        return batch.output(0).toArray();
    }

    private Prediction predict(SequenceEvent e, PredictionKind kind, float[] out, float[] forecast) {
        long latency = e.ingestTime > 0 ? System.currentTimeMillis() - e.ingestTime : 0;
        return Predictions.of(e.key, e.seq, kind, model.config().task(), out, forecast, modelId, version, e.eventTime,
                latency, e.label);
    }
}
