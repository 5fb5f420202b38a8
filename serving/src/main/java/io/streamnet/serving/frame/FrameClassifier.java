package io.streamnet.serving.frame;

import io.streamnet.engine.backend.Backend;
import io.streamnet.engine.backend.Placement;
import io.streamnet.engine.tensor.Tensor;
import io.streamnet.serving.model.ServedFrameModel;
import io.streamnet.serving.placement.RoundLadder;
import java.util.Arrays;

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
    private final CnnPath[] bySize;
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
        this.bySize = new CnnPath[capacity + 1];
        // The model's own CNN serves the full batch where it computes on that batch's backend.
        Backend full = placement.forRows(capacity);
        bySize[capacity] = new CnnPath(model.backend() == full ? model.cnn().layers() : model.copyCnn(full).layers(), full);
        for (int size : RoundLadder.of(capacity, 2)) { // powers of two: the sizes largestSizeUpTo picks
            if (size < capacity) {
                Backend b = placement.forRows(size);
                bySize[size] = new CnnPath(model.copyCnn(b).layers(), b);
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

    /**
     * Where this model's passes run ({@link io.streamnet.serving.placement.CalibratedPlacement}): with
     * {@code STREAMNET_BACKEND=auto} and a device, each ladder size is timed on the CPU and the device
     * on random frames (once per architecture and capacity, then cached), and passes go to the device
     * only from the size where it is faster.
     */
    public static Placement placement(ServedFrameModel model, int capacity) {
        return FramePlacement.of(model, capacity);
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
        Arrays.fill(failures, 0, rows, null);
        int width = model.featureSize();
        features = gatheredFeatures;
        for (int off = 0; off < rows; ) {
            int size = largestSizeUpTo(rows - off);
            try {
                Tensor f = bySize[size].forward(view(inputViews, input, off, size),
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
                Tensor f = bySize[1].forward(inputRows[i], probabilityRows[i]);
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

    /** Frees what the CNN copies hold on a device (nothing on the CPU). */
    @Override
    public void close() {
        for (CnnPath p : bySize) {
            if (p != null) {
                p.close();
            }
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
