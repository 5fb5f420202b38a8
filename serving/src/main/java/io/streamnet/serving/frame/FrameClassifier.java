package io.streamnet.serving.frame;

import io.streamnet.engine.backend.Backend;
import io.streamnet.engine.backend.Backends;
import io.streamnet.engine.backend.Calibration;
import io.streamnet.engine.backend.Placement;
import io.streamnet.engine.backend.Residency;
import io.streamnet.engine.nn.layer.InferencePlan;
import io.streamnet.engine.nn.layer.Layer;
import io.streamnet.engine.nn.layer.Sequential;
import io.streamnet.engine.tensor.Tensor;
import io.streamnet.serving.model.ServedFrameModel;
import java.util.List;

/**
 * One operator's workspace for batched frame classification with a {@link ServedFrameModel}: frames are
 * written into rows of an input batch, then batched forward passes of the CNN compute every row's
 * feature vector (the classifier layer's input) and class probabilities.
 *
 * <p>Layers size their buffers for the batch they see and reallocate when it changes, which a
 * stream's varying flush sizes would do at every flush (18% of LeNet-5's throughput when batches
 * of 32 and 17 alternate). So the classifier holds one copy of the CNN per batch size of a ladder,
 * the powers of two below {@code capacity} and capacity itself, each always run at its own size:
 * a flush of 17 runs as 16 + 1, of 31 as 16 + 8 + 4 + 2 + 1, and none ever reallocates. (A
 * flush rarely fills the batch when the flush timer, not the batch size, ends it, as in a backlog
 * spread over a few subtasks.)
 */
public final class FrameClassifier implements AutoCloseable {
    /** i / 255f for every byte: the scaling the zoo models are trained with. */
    private static final float[] UNIT = new float[256];

    static {
        for (int i = 0; i < 256; i++) {
            UNIT[i] = i / 255f;
        }
    }

    private final ServedFrameModel model;
    private final int capacity;
    private final Tensor input;
    private final Tensor probabilities;
    /** The CNN copy for each batch size of the ladder (null elsewhere); [capacity] is the model's own. */
    private final Path[] bySize;
    private final Tensor[] inputRows;
    private final Tensor[] probabilityRows;
    /**
     * Views of rows [offset, offset + size) of the input and the probabilities, made on first use: a
     * pass of a power-of-two size 2^k starts at a multiple of 2^k, so [k][offset >> k] names it;
     * the last level holds the one pass of the whole capacity.
     */
    private final Tensor[][] inputViews;
    private final Tensor[][] probabilityViews;
    private final Tensor gatheredFeatures;
    private Tensor features;
    private final String[] failures;

    public FrameClassifier(ServedFrameModel model, Backend backend, int capacity) {
        this(model, Placement.fixed(backend, "given"), capacity);
    }

    /**
     * With each batch size of the ladder on the backend {@code placement} gives that many rows (a
     * device for the large passes, the CPU for the small ones, say).
     */
    public FrameClassifier(ServedFrameModel model, Placement placement, int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be positive, got " + capacity);
        }
        this.model = model;
        this.capacity = capacity;
        this.input = Tensor.zeros(capacity, model.channels(), model.height(), model.width());
        this.probabilities = Tensor.zeros(capacity, model.classes());
        this.bySize = new Path[capacity + 1];
        // The model's own CNN serves the full batch where it computes on that batch's backend.
        Backend full = placement.forRows(capacity);
        bySize[capacity] = new Path(model.backend() == full ? model.cnn().layers() : model.copyCnn(full).layers(), full);
        for (int size : ladder(capacity)) {
            if (size < capacity) {
                Backend b = placement.forRows(size);
                bySize[size] = new Path(model.copyCnn(b).layers(), b);
            }
        }
        int levels = Integer.numberOfTrailingZeros(Integer.highestOneBit(capacity)) + 2;
        this.inputViews = new Tensor[levels][];
        this.probabilityViews = new Tensor[levels][];
        for (int k = 0; k < levels; k++) {
            int slots = k == levels - 1 ? 1 : capacity / (1 << k) + 1;
            inputViews[k] = new Tensor[slots];
            probabilityViews[k] = new Tensor[slots];
        }
        this.inputRows = new Tensor[capacity];
        this.probabilityRows = new Tensor[capacity];
        for (int i = 0; i < capacity; i++) {
            inputRows[i] = input.slice(i, i + 1);
            probabilityRows[i] = probabilities.slice(i, i + 1);
        }
        this.gatheredFeatures = Tensor.zeros(capacity, model.featureSize());
        this.failures = new String[capacity];
    }

    public int capacity() {
        return capacity;
    }

    /** The batch sizes a classifier of {@code capacity} runs: the powers of two below it, and it. */
    public static int[] ladder(int capacity) {
        int n = 1;
        for (int size = 1; size < capacity; size *= 2) {
            n++;
        }
        int[] sizes = new int[n];
        int i = 0;
        for (int size = 1; size < capacity; size *= 2) {
            sizes[i++] = size;
        }
        sizes[i] = capacity;
        return sizes;
    }

    /**
     * Where this model's passes run ({@link Backends#placement}): with {@code STREAMNET_BACKEND=auto}
     * and a device, each ladder size is timed on the CPU and the device on random frames (once per
     * architecture and capacity, then cached), and passes go to the device only from the size where
     * it is faster.
     */
    public static Placement placement(ServedFrameModel model, int capacity) {
        String key = "frame cnn " + model.cnn().architecture() + " at capacity " + capacity;
        return Backends.placement(key, ladder(capacity), new CnnRoundTimer(model));
    }

    /** Times one CNN inference of {@code rows} random frames on a backend, on a copy of the CNN made for it. */
    private static final class CnnRoundTimer implements Calibration.RoundTimer {
        private final ServedFrameModel model;
        private final java.util.Map<String, Sequential> copies = new java.util.HashMap<>();

        CnnRoundTimer(ServedFrameModel model) {
            this.model = model;
        }

        @Override
        public double seconds(Backend b, int rows) {
            Sequential cnn = copies.computeIfAbsent(b.name() + "/" + rows, k -> model.copyCnn(b));
            java.util.Random rng = new java.util.Random(rows);
            Tensor x = Tensor.zeros(rows, model.channels(), model.height(), model.width());
            for (int i = 0; i < x.size(); i++) {
                x.put(i, rng.nextFloat());
            }
            List<Tensor> weights = cnn.residentTensors();
            Residency.Step pass = s -> s.keep(cnn.infer(x)); // as a round runs: resident on a device
            try (Residency r = b.residency(weights)) {
                r.run(pass); // warm: buffers sized, weights uploaded, kernels loaded
                long t0 = System.nanoTime();
                r.run(pass);
                return (System.nanoTime() - t0) / 1e9;
            }
        }
    }


    /** Writes a frame's pixels (row-major, channels last, as on the wire) into {@code row}, channels first. */
    public void load(int row, byte[] pixels) {
        int c = model.channels();
        int plane = model.height() * model.width();
        float[] x = input.data();
        int base = input.offset() + row * c * plane;
        if (c == 1) {
            for (int p = 0; p < plane; p++) {
                x[base + p] = UNIT[pixels[p] & 0xff];
            }
            return;
        }
        for (int p = 0; p < plane; p++) {
            for (int k = 0; k < c; k++) {
                x[base + k * plane + p] = UNIT[pixels[p * c + k] & 0xff];
            }
        }
    }

    /**
     * Classifies rows [0, rows) in batched forward passes down the ladder of batch sizes. When a pass
     * throws, its rows run one by one, so that only the frames the model fails on fail; a row whose
     * probabilities are NaN or infinite fails too.
     *
     * @return how many rows failed ({@link #failure} says why)
     */
    public int run(int rows) {
        if (rows < 1 || rows > capacity) {
            throw new IllegalArgumentException("rows must be in 1.." + capacity + ", got " + rows);
        }
        java.util.Arrays.fill(failures, 0, rows, null);
        int width = model.featureSize();
        features = gatheredFeatures;
        for (int off = 0; off < rows; ) {
            int size = largestSizeUpTo(rows - off);
            try {
                Tensor f = forward(bySize[size], view(inputViews, input, off, size),
                        view(probabilityViews, probabilities, off, size));
                if (size == rows) {
                    features = f; // one pass: its features are every row's
                } else {
                    System.arraycopy(f.data(), f.offset(), gatheredFeatures.data(), off * width, size * width);
                }
            } catch (RuntimeException passFailed) {
                oneByOne(off, size, width);
            }
            off += size;
        }
        return countNonFinite(rows);
    }

    private void oneByOne(int from, int count, int width) {
        for (int i = from; i < from + count; i++) {
            try {
                Tensor f = forward(bySize[1], inputRows[i], probabilityRows[i]);
                System.arraycopy(f.data(), f.offset(), gatheredFeatures.data(), i * width, width);
            } catch (RuntimeException e) {
                failures[i] = "the model failed: " + e;
            }
        }
    }

    /** The largest batch size of the ladder that is at most {@code n}. */
    private int largestSizeUpTo(int n) {
        if (n >= capacity) {
            return capacity;
        }
        return Integer.highestOneBit(n);
    }

    private Tensor view(Tensor[][] cache, Tensor of, int off, int size) {
        Tensor[] level = size == capacity ? cache[cache.length - 1] : cache[Integer.numberOfTrailingZeros(size)];
        int slot = size == capacity ? 0 : off / size;
        Tensor v = level[slot];
        if (v == null) {
            v = of.slice(off, off + size);
            level[slot] = v;
        }
        return v;
    }

    private int countNonFinite(int rows) {
        int failed = 0;
        float[] p = probabilities.data();
        int k = model.classes();
        for (int i = 0; i < rows; i++) {
            if (failures[i] == null) {
                for (int j = i * k, end = j + k; j < end; j++) {
                    if (!Float.isFinite(p[j])) {
                        failures[i] = "the model output NaN or Inf";
                        break;
                    }
                }
            }
            failed += failures[i] == null ? 0 : 1;
        }
        return failed;
    }

    /** Why {@code row} failed in the last {@link #run}, or null. */
    public String failure(int row) {
        return failures[row];
    }

    /** Inference through {@code path}: the classifier layer's input (returned) and softmax(logits) into {@code probs}. */
    private Tensor forward(Path path, Tensor x, Tensor probs) {
        return path.forward(x, probs);
    }

    /** Host-device copies the passes made so far (zero on the CPU). */
    public Residency.CopyCounts deviceCopies() {
        long u = 0;
        long ub = 0;
        long d = 0;
        long db = 0;
        for (Path p : bySize) {
            if (p != null) {
                Residency.CopyCounts c = p.residency.copies();
                u += c.uploads();
                ub += c.uploadedBytes();
                d += c.downloads();
                db += c.downloadedBytes();
            }
        }
        return new Residency.CopyCounts(u, ub, d, db);
    }

    /** Frees what the CNN copies hold on a device (nothing on the CPU). */
    @Override
    public void close() {
        for (Path p : bySize) {
            if (p != null) {
                p.residency.close();
            }
        }
    }

    /**
     * A copy of the CNN as inference steps up to the features (fused where layers allow), and its
     * classifier layer; on a device, each pass runs device-resident (the frames go up once, the
     * features and probabilities come back once, the weights stay).
     */
    private static final class Path {
        final InferencePlan features;
        final Layer classifier;
        final Backend backend;
        final Residency residency;
        private final Residency.Step step = this::pass;
        private Tensor x;
        private Tensor probs;
        private Tensor out;

        Path(List<Layer> layers, Backend backend) {
            this.backend = backend;
            this.features = InferencePlan.of(layers.subList(0, layers.size() - 1));
            this.classifier = layers.get(layers.size() - 1);
            List<Tensor> weights = new java.util.ArrayList<>();
            for (Layer l : layers) {
                weights.addAll(l.residentTensors());
            }
            this.residency = backend.residency(weights);
        }

        Tensor forward(Tensor x, Tensor probs) {
            this.x = x;
            this.probs = probs;
            try {
                residency.run(step);
                return out;
            } finally {
                this.x = null;
                this.probs = null;
            }
        }

        private void pass(Residency.Scope scope) {
            out = features.run(x);
            backend.softmax(classifier.infer(out), probs);
            scope.keep(out);
            scope.keep(probs);
        }
    }

    /** Class probabilities of the last {@link #run}, [rows, classes]. */
    public Tensor probabilities() {
        return probabilities;
    }

    /** Feature vectors of the last {@link #run}, [rows, featureSize]; valid until the next run. */
    public Tensor features() {
        return features;
    }
}
