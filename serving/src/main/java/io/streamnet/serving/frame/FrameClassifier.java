package io.streamnet.serving.frame;

import io.streamnet.engine.backend.Backend;
import io.streamnet.engine.nn.layer.InferencePlan;
import io.streamnet.engine.nn.layer.Layer;
import io.streamnet.engine.tensor.Tensor;
import io.streamnet.serving.model.ServedFrameModel;
import java.util.List;

/**
 * One operator's workspace for batched frame classification with a {@link ServedFrameModel}: frames are
 * written into rows of an input batch, then ONE forward pass of the CNN computes every row's
 * feature vector (the classifier layer's input) and class probabilities.
 *
 * <p>Layers size their buffers for the batch they see and reallocate when it changes, which a
 * stream's varying flush sizes would do at every flush (18% of LeNet-5's throughput when batches
 * of 32 and 17 alternate). So a full batch runs through one copy of the CNN, always at
 * {@code capacity} rows, and a partial one frame by frame through a second copy, always at one row:
 * neither ever reallocates. (Under load flushes are full; under light load they hold a few frames,
 * where batching gains little.)
 */
public final class FrameClassifier {
    /** i / 255f for every byte: the scaling the zoo models are trained with. */
    private static final float[] UNIT = new float[256];

    static {
        for (int i = 0; i < 256; i++) {
            UNIT[i] = i / 255f;
        }
    }

    private final ServedFrameModel model;
    private final Backend backend;
    private final int capacity;
    private final Tensor input;
    private final Tensor probabilities;
    private final Path full;
    private final Path single;
    private final Tensor[] inputRows;
    private final Tensor[] probabilityRows;
    private final Tensor singleFeatures;
    private Tensor features;
    private final String[] failures;

    public FrameClassifier(ServedFrameModel model, Backend backend, int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be positive, got " + capacity);
        }
        this.model = model;
        this.backend = backend;
        this.capacity = capacity;
        this.input = Tensor.zeros(capacity, model.channels(), model.height(), model.width());
        this.probabilities = Tensor.zeros(capacity, model.classes());
        this.full = new Path(model.cnn().layers());
        this.single = capacity == 1 ? full : new Path(model.copyCnn(backend).layers());
        this.inputRows = new Tensor[capacity];
        this.probabilityRows = new Tensor[capacity];
        for (int i = 0; i < capacity; i++) {
            inputRows[i] = input.slice(i, i + 1);
            probabilityRows[i] = probabilities.slice(i, i + 1);
        }
        this.singleFeatures = Tensor.zeros(capacity, model.featureSize());
        this.failures = new String[capacity];
    }

    public int capacity() {
        return capacity;
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
     * Classifies rows [0, rows): one batched forward when all {@code capacity} rows are filled, else
     * row by row. When the batched forward throws, the rows run one by one, so that only the frames
     * the model fails on fail; a row whose probabilities are NaN or infinite fails too.
     *
     * @return how many rows failed ({@link #failure} says why)
     */
    public int run(int rows) {
        if (rows < 1 || rows > capacity) {
            throw new IllegalArgumentException("rows must be in 1.." + capacity + ", got " + rows);
        }
        java.util.Arrays.fill(failures, 0, rows, null);
        if (rows == capacity) {
            try {
                features = forward(full, input, probabilities);
                return countNonFinite(rows);
            } catch (RuntimeException batchFailed) {
                // fall through: one by one
            }
        }
        int width = model.featureSize();
        for (int i = 0; i < rows; i++) {
            try {
                Tensor f = forward(single, inputRows[i], probabilityRows[i]);
                System.arraycopy(f.data(), f.offset(), singleFeatures.data(), i * width, width);
            } catch (RuntimeException e) {
                failures[i] = "the model failed: " + e;
            }
        }
        features = singleFeatures;
        return countNonFinite(rows);
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
        Tensor features = path.features.run(x);
        backend.softmax(path.classifier.infer(features), probs);
        return features;
    }

    /** A copy of the CNN as inference steps up to the features (fused where layers allow), and its classifier layer. */
    private static final class Path {
        final InferencePlan features;
        final Layer classifier;

        Path(List<Layer> layers) {
            this.features = InferencePlan.of(layers.subList(0, layers.size() - 1));
            this.classifier = layers.get(layers.size() - 1);
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
