package io.streamnet.flink.cnn;

import io.streamnet.engine.backend.Backend;
import io.streamnet.engine.nn.layer.Layer;
import io.streamnet.engine.tensor.Tensor;
import io.streamnet.flink.model.FrameModel;
import java.util.List;

/**
 * One operator's workspace for batched frame classification with a {@link FrameModel}: frames are
 * written into rows of an input batch, then ONE forward pass of the CNN computes every row's
 * feature vector (the classifier layer's input) and class probabilities.
 */
public final class FrameClassifier {
    /** i / 255f for every byte: the scaling the zoo models are trained with. */
    private static final float[] UNIT = new float[256];

    static {
        for (int i = 0; i < 256; i++) {
            UNIT[i] = i / 255f;
        }
    }

    private final FrameModel model;
    private final Backend backend;
    private final int capacity;
    private final Tensor input;
    private final Tensor probabilities;
    private Tensor features;

    public FrameClassifier(FrameModel model, Backend backend, int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be positive, got " + capacity);
        }
        this.model = model;
        this.backend = backend;
        this.capacity = capacity;
        this.input = Tensor.zeros(capacity, model.channels(), model.height(), model.width());
        this.probabilities = Tensor.zeros(capacity, model.classes());
    }

    public int capacity() {
        return capacity;
    }

    /** Whether a frame of this shape (height x width x channels) is what the model reads. */
    public boolean fits(int height, int width, int channels) {
        return height == model.height() && width == model.width() && channels == model.channels();
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

    /** One batched forward (inference mode) over rows [0, rows). */
    public void run(int rows) {
        if (rows < 1 || rows > capacity) {
            throw new IllegalArgumentException("rows must be in 1.." + capacity + ", got " + rows);
        }
        List<Layer> layers = model.cnn().layers();
        Tensor x = input.slice(0, rows);
        for (int i = 0; i < layers.size() - 1; i++) {
            x = layers.get(i).forward(x, false);
        }
        features = x;
        Tensor logits = layers.get(layers.size() - 1).forward(x, false);
        backend.softmax(logits, probabilities.slice(0, rows));
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
