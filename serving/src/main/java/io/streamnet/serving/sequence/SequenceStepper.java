package io.streamnet.serving.sequence;

import io.streamnet.engine.backend.Backend;
import io.streamnet.engine.backend.Backends;
import io.streamnet.engine.backend.Calibration;
import io.streamnet.engine.backend.Placement;
import io.streamnet.engine.backend.Residency;
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
 *
 * <p>A round on a device runs device-resident ({@link Residency}): the weights stay on the device
 * for the stepper's lifetime, the gathered states and inputs go up once, every operation of the step
 * runs there, and the new states and outputs come back once. {@link #close} frees the device memory.
 */
public final class SequenceStepper implements AutoCloseable {
    private final SequenceModel model;
    /** The model on the backend of rounds below the placement's threshold, and on that of the rest. */
    private final SequenceModel smallModel;
    private final SequenceModel largeModel;
    private final int threshold;
    private final Residency smallResidency;
    private final Residency largeResidency;
    /** What {@link #run} steps, and on which model: fields, so that the step allocates no closure. */
    private SequenceModel stepModel;
    private int stepRows;
    private final Residency.Step step = this::stepResident;
    private final String modelId;
    private final long version;
    private final OutputMode mode;
    private final int forecastSteps;
    private final StateBatch batch;
    private final Tensor features;
    private final int[] tokens;
    private final int stateSize;
    /** Per row, the stored state loaded (null: the initial one), for a row's retry alone. */
    private final float[][] loaded;
    private final float[][] carried;
    /** Per row, why it failed in the last {@link #run} (null: it did not). */
    private final String[] failures;
    // A one-row workspace for retries, made on the first failure.
    private StateBatch single;
    private Tensor singleFeatures;
    private final int[] singleToken = new int[1];
    private float[] scratch;

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
        this.smallModel = on(model, placement.forRows(1));
        this.largeModel = on(model, placement.forRows(Math.max(capacity, 1)));
        this.threshold = placement.threshold();
        this.smallResidency = smallModel.newResidency();
        this.largeResidency = largeModel == smallModel ? smallResidency : largeModel.newResidency();
        this.modelId = modelId;
        this.version = version;
        this.mode = mode;
        this.forecastSteps = forecastSteps;
        this.batch = model.newStateBatch(capacity);
        this.features = model.config().tokenInput() ? null : Tensor.zeros(capacity, model.config().inputSize());
        this.tokens = new int[capacity];
        this.stateSize = model.stateLayout().size();
        this.loaded = new float[capacity][];
        this.carried = new float[capacity][];
        this.failures = new String[capacity];
    }

    /** A stepper of a served model whose rounds run where {@link #placement} puts them. */
    public static SequenceStepper placed(ServedSequenceModel served, OutputMode mode, int forecastSteps, int capacity) {
        return new SequenceStepper(served.model(), served.modelId(), served.version(), mode, forecastSteps, capacity,
                placement(served.model(), capacity));
    }

    /** {@code m} computing on {@code b}: itself, or a copy of its weights made there. */
    static SequenceModel on(SequenceModel m, Backend b) {
        if (b == m.backend()) {
            return m;
        }
        SequenceModel copy = new SequenceModel(b, m.config(), 0);
        copy.store().load(m.store().values());
        return copy;
    }

    /** The round sizes a stepper of {@code capacity} is calibrated at: powers of four below it, and it. */
    static int[] ladder(int capacity) {
        int n = 1;
        for (int size = 1; size < capacity; size *= 4) {
            n++;
        }
        int[] sizes = new int[n];
        int i = 0;
        for (int size = 1; size < capacity; size *= 4) {
            sizes[i++] = size;
        }
        sizes[i] = capacity;
        return sizes;
    }

    /**
     * Where this model's rounds run ({@link Backends#placement}): with {@code STREAMNET_BACKEND=auto}
     * and a device, a batched step is timed on both at 1, 4, 16, ... rows up to {@code capacity}
     * (once per model shape and capacity, then cached), and rounds go to the device only from the
     * size where it is faster.
     */
    public static Placement placement(SequenceModel model, int capacity) {
        String key = "sequence " + model.config() + " at capacity " + capacity;
        return Backends.placement(key, ladder(Math.max(1, capacity)), new StepTimer(model));
    }

    /** Times one batched step of {@code rows} keys from the initial state on a backend, on a copy of the model made there. */
    private static final class StepTimer implements Calibration.RoundTimer {
        private final SequenceModel model;
        private final java.util.Map<String, SequenceModel> copies = new java.util.HashMap<>();

        StepTimer(SequenceModel model) {
            this.model = model;
        }

        @Override
        public double seconds(Backend b, int rows) {
            SequenceModel m = copies.computeIfAbsent(b.name(), k -> on(model, b));
            StateBatch states = m.newStateBatch(rows);
            int[] ids = new int[rows];
            Tensor in = m.config().tokenInput() ? null : Tensor.zeros(rows, m.config().inputSize());
            if (in != null) {
                java.util.Random rng = new java.util.Random(rows);
                for (int i = 0; i < in.size(); i++) {
                    in.put(i, rng.nextFloat());
                }
            }
            Residency.Step step = s -> {
                m.stepBatch(states, rows, ids, in);
                states.keep(s, rows);
            };
            try (Residency r = m.newResidency()) {
                r.run(step); // warm: weights uploaded, kernels loaded
                long t0 = System.nanoTime();
                r.run(step);
                return (System.nanoTime() - t0) / 1e9;
            }
        }
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
            loaded[row] = stored;
            return false;
        }
        batch.load(row, model.initialState().values());
        loaded[row] = null;
        return stored != null;
    }

    /**
     * The next step of {@code row} continues from its state after this one, without a store round
     * trip (an event of many tokens stepped alone); a retry of that step starts from it too.
     */
    public void carry(int row) {
        if (carried[row] == null) {
            carried[row] = new float[stateSize];
        }
        batch.saveInto(row, carried[row]);
        loaded[row] = carried[row];
    }

    /** Puts step {@code step} of {@code in} into {@code row}. */
    public void loadInput(int row, SequenceInput in, int step) {
        if (features != null) {
            System.arraycopy(in.event.features, 0, features.data(), row * features.cols(), features.cols());
        } else {
            tokens[row] = in.token(step);
        }
    }

    /** Puts token {@code id} into {@code row} (a token model's input). */
    public void loadToken(int row, int id) {
        tokens[row] = id;
    }

    /** Puts a feature vector ({@code inputSize} floats of {@code data} from {@code offset}) into {@code row}. */
    public void loadFeatures(int row, float[] data, int offset) {
        System.arraycopy(data, offset, features.data(), row * features.cols(), features.cols());
    }

    /**
     * ONE batched step of rows [0, rows). When it throws, each row is stepped again alone, so that
     * only the rows the model fails on fail; a row whose output is NaN or infinite fails too.
     *
     * @return how many rows failed ({@link #failure} says why); 0 on the happy path, which allocates nothing
     */
    public int run(int rows) {
        try {
            stepModel = rows >= threshold ? largeModel : smallModel;
            stepRows = rows;
            (rows >= threshold ? largeResidency : smallResidency).run(step);
        } catch (RuntimeException batchFailed) {
            return retryAlone(rows);
        }
        int failed = 0;
        float[] out = batch.outputBuffer().data();
        int width = batch.outputBuffer().cols();
        for (int i = 0; i < rows; i++) {
            failures[i] = finite(out, i * width, width) ? null : "the model output NaN or Inf";
            failed += failures[i] == null ? 0 : 1;
        }
        return failed;
    }

    /**
     * The step of {@link #run} with every operation copying its operands in and out (no residency):
     * the baseline the device check times the resident step against. No retries.
     */
    public void runPerCallCopies(int rows) {
        (rows >= threshold ? largeModel : smallModel).stepBatch(batch, rows, tokens, features);
    }

    private void stepResident(Residency.Scope scope) {
        stepModel.stepBatch(batch, stepRows, tokens, features);
        batch.keep(scope, stepRows);
    }

    /** Host-device copies the rounds made so far (zero on the CPU): a device round's cost in transfers. */
    public Residency.CopyCounts deviceCopies() {
        Residency.CopyCounts a = smallResidency.copies();
        if (largeResidency == smallResidency) {
            return a;
        }
        Residency.CopyCounts b = largeResidency.copies();
        return new Residency.CopyCounts(a.uploads() + b.uploads(), a.uploadedBytes() + b.uploadedBytes(),
                a.downloads() + b.downloads(), a.downloadedBytes() + b.downloadedBytes());
    }

    /** Frees what the rounds hold on a device (nothing on the CPU). */
    @Override
    public void close() {
        smallResidency.close();
        if (largeResidency != smallResidency) {
            largeResidency.close();
        }
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

    private int retryAlone(int rows) {
        if (single == null) {
            single = model.newStateBatch(1);
            singleFeatures = features == null ? null : Tensor.zeros(1, features.cols());
            scratch = new float[stateSize];
        }
        int failed = 0;
        for (int i = 0; i < rows; i++) {
            single.load(0, loaded[i] != null ? loaded[i] : model.initialState().values());
            if (features != null) {
                System.arraycopy(features.data(), i * features.cols(), singleFeatures.data(), 0, features.cols());
            } else {
                singleToken[0] = tokens[i];
            }
            try {
                smallModel.stepBatch(single, 1, singleToken, singleFeatures);
                if (single.output(0).hasNonFinite()) {
                    failures[i] = "the model output NaN or Inf";
                } else {
                    single.saveInto(0, scratch);
                    batch.load(i, scratch);
                    batch.output(i).copyFrom(single.output(0));
                    failures[i] = null;
                }
            } catch (RuntimeException e) {
                failures[i] = "the model failed: " + e;
            }
            failed += failures[i] == null ? 0 : 1;
        }
        return failed;
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
