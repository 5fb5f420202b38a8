package io.streamnet.serving.sequence;

import io.streamnet.engine.backend.Placement;
import io.streamnet.engine.backend.Residency;
import io.streamnet.rnn.model.SequenceModel;
import io.streamnet.rnn.state.RnnState;
import io.streamnet.rnn.state.StateBatch;
import io.streamnet.schemas.Prediction;
import io.streamnet.schemas.PredictionKind;
import io.streamnet.serving.model.ServedSequenceModel;
import io.streamnet.serving.output.Predictions;

/**
 * One runtime's workspace for stepping many keys of a sequence model at once. The runtime
 * ({@link SequenceLifecycle}) keeps the per-key state and calls, per round of distinct keys:
 * {@link #loadState} and {@link #loadInput} for each row, {@link #run} once (ONE batched step), then
 * {@link #state} to store and {@link #prediction} to emit. Nothing here allocates per step but the outputs it returns.
 *
 * <p>A round on a device runs device-resident ({@link Residency}): the weights stay on the device
 * for the stepper's lifetime, the gathered states and inputs go up once, every operation of the step
 * runs there, and the new states and outputs come back once. {@link #close} frees the device memory.
 */
public final class SequenceStepper implements AutoCloseable {
    private final SequenceModel model;
    private final PlacedModels placed;
    /** What {@link #run} steps, and on which model: fields, so that the step allocates no closure. */
    private SequenceModel stepModel;
    private int stepRows;
    private final Residency.Step step = this::stepResident;
    private final String modelId;
    private final long version;
    private final int forecastSteps;
    private final RowWorkspace workspace;
    /** The rows' states and outputs ({@link RowWorkspace#batch}), which the output rules read. */
    private final StateBatch batch;
    /** Per row, why it failed in the last {@link #run} (null: it did not). */
    private final String[] failures;
    private final RetryAlone retry;

    /**
     * @param capacity most keys per round
     */
    public SequenceStepper(ServedSequenceModel served, OutputMode mode, int forecastSteps, int capacity) {
        this(served.model(), served.modelId(), served.version(), mode, forecastSteps, capacity);
    }

    /** A stepper of a model served as part of another (a frame model's smoother), named by {@code modelId} v{@code version}. */
    public SequenceStepper(SequenceModel model, String modelId, long version, OutputMode mode, int forecastSteps,
                           int capacity) {
        this(model, modelId, version, mode, forecastSteps, capacity, Placement.fixed(model.backend(), "the model's"));
    }

    /** As above, each round stepped on the backend {@code placement} gives its number of rows. */
    public SequenceStepper(SequenceModel model, String modelId, long version, OutputMode mode, int forecastSteps,
                           int capacity, Placement placement) {
        String why = mode.incompatibility(model);
        if (why != null) {
            throw new IllegalArgumentException(why);
        }
        this.model = model;
        this.placed = new PlacedModels(model, placement, capacity);
        this.modelId = modelId;
        this.version = version;
        this.forecastSteps = forecastSteps;
        this.workspace = new RowWorkspace(model, capacity);
        this.batch = workspace.batch;
        this.failures = new String[capacity];
        this.retry = new RetryAlone(model);
    }

    /** A stepper of a served model whose rounds run where {@link #placement} puts them. */
    public static SequenceStepper placed(ServedSequenceModel served, OutputMode mode, int forecastSteps, int capacity) {
        return new SequenceStepper(served.model(), served.modelId(), served.version(), mode, forecastSteps, capacity,
                placement(served.model(), capacity));
    }

    /**
     * Where this model's rounds run ({@link io.streamnet.serving.placement.CalibratedPlacement}): with
     * {@code STREAMNET_BACKEND=auto} and a device, a batched step is timed on both at 1, 4, 16, ...
     * rows up to {@code capacity} (once per model shape and capacity, then cached), and rounds go to
     * the device only from the size where it is faster.
     */
    public static Placement placement(SequenceModel model, int capacity) {
        return SequencePlacement.of(model, capacity);
    }

    /** Whether a stored state can be read by this model (one written under a model of another shape cannot). */
    public boolean readable(float[] stored) {
        return workspace.readable(stored);
    }

    /**
     * Puts a key's stored state into {@code row}: the initial state when it has none, or when it was
     * written under a model of another shape (a restore across a swap); returns true in that last
     * case, which the runtime counts as a state reset.
     */
    public boolean loadState(int row, float[] stored) {
        return workspace.loadState(row, stored);
    }

    /**
     * The next step of {@code row} continues from its state after this one, without a store round
     * trip (an event of many tokens stepped alone); a retry of that step starts from it too.
     */
    public void carry(int row) {
        workspace.carry(row);
    }

    /** Puts step {@code step} of {@code in} into {@code row}. */
    public void loadInput(int row, SequenceInput in, int step) {
        workspace.loadInput(row, in, step);
    }

    /** Puts token {@code id} into {@code row} (a token model's input). */
    public void loadToken(int row, int id) {
        workspace.loadToken(row, id);
    }

    /** Puts a feature vector ({@code inputSize} floats of {@code data} from {@code offset}) into {@code row}. */
    public void loadFeatures(int row, float[] data, int offset) {
        workspace.loadFeatures(row, data, offset);
    }

    /**
     * ONE batched step of rows [0, rows). When it throws, each row is stepped again alone
     * ({@link RetryAlone}), so that only the rows the model fails on fail; a row whose output is NaN
     * or infinite fails too.
     *
     * @return how many rows failed ({@link #failure} says why); 0 on the happy path, which allocates nothing
     */
    public int run(int rows) {
        try {
            stepModel = placed.forRows(rows);
            stepRows = rows;
            placed.residencyFor(rows).run(step);
        } catch (RuntimeException batchFailed) {
            return retry.retry(workspace, rows, placed.small(), failures);
        }
        int failed = 0;
        float[] out = batch.outputBuffer().data();
        int width = batch.outputBuffer().cols();
        for (int i = 0; i < rows; i++) {
            failures[i] = finite(out, i * width, width) ? null : RetryAlone.NON_FINITE;
            failed += failures[i] == null ? 0 : 1;
        }
        return failed;
    }

    private void stepResident(Residency.Scope scope) {
        stepModel.stepBatch(batch, stepRows, workspace.tokens, workspace.features);
        batch.keep(scope, stepRows);
    }

    /** Frees what the rounds hold on a device (nothing on the CPU). */
    @Override
    public void close() {
        placed.close();
    }

    private static boolean finite(float[] a, int from, int n) {
        for (int i = from, end = from + n; i < end; i++) {
            if (!Float.isFinite(a[i])) {
                return false;
            }
        }
        return true;
    }

    /** Why {@code row} failed in the last {@link #run}, or null. */
    public String failure(int row) {
        return failures[row];
    }

    /** The new state of {@code row}, as a fresh array (a runtime may keep it). */
    public float[] state(int row) {
        return workspace.state(row);
    }

    /** The new state of {@code row} copied into {@code into} (a new array when null or of another size); returns it. */
    public float[] stateInto(int row, float[] into) {
        return workspace.stateInto(row, into);
    }

    /** The model's output for {@code row} after the step: class probabilities or values. */
    public float[] output(int row) {
        return workspace.output(row);
    }

    /** The new state of {@code row}, with its layout. */
    public RnnState rnnState(int row) {
        return workspace.rnnState(row);
    }

    /**
     * The prediction of {@code kind} after an event's last step ran in {@code row} (a FORECAST one
     * with the generated values). Which kind a mode emits when is {@link SequenceLifecycle}'s rule.
     */
    public Prediction prediction(int row, SequenceEvent e, PredictionKind kind) {
        float[] out = batch.output(row).toArray();
        return predict(e, kind, out, kind == PredictionKind.FORECAST
                ? model.forecast(batch.save(row), e.features, out, forecastSteps) : null);
    }

    /**
     * The prediction of {@code kind} from a key's {@link #readable} stored state, without a step (an
     * end marker without input, a session gap).
     */
    public Prediction predictionFrom(float[] stored, SequenceEvent e, PredictionKind kind) {
        float[] out = headOf(stored);
        return predict(e, kind, out, kind == PredictionKind.FORECAST
                ? model.forecast(new RnnState(model.stateLayout(), stored.clone()), null, out, forecastSteps) : null);
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
