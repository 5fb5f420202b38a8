package io.streamnet.cnn.layer;

import io.streamnet.engine.backend.Activation;
import io.streamnet.engine.backend.Backend;
import io.streamnet.engine.nn.init.Initializer;
import io.streamnet.engine.nn.layer.Layer;
import io.streamnet.engine.nn.layer.Sequential;

/**
 * Builds a CNN as a {@link Sequential} over (C,H,W) inputs, tracking the shape so that every layer's
 * input size is inferred: {@code CnnBuilder.of(cpu, seed, 1, 28, 28).conv(6, 5, 1, 2).relu().maxPool(2, 2)...}.
 */
public final class CnnBuilder {
    private final Sequential.Builder b;

    private CnnBuilder(Sequential.Builder b) {
        this.b = b;
    }

    public static CnnBuilder of(Backend backend, long seed, int channels, int height, int width) {
        CnnLayers.register();
        return new CnnBuilder(Sequential.builder(backend, seed, channels, height, width));
    }

    public Sequential.Builder sequential() {
        return b;
    }

    /** Per-example shape so far, e.g. [6, 14, 14]. */
    public int[] shape() {
        return b.currentShape();
    }

    private int channels() {
        int[] s = shape();
        if (s.length != 3) {
            throw new IllegalStateException("expected a (C,H,W) shape here, have " + java.util.Arrays.toString(s));
        }
        return s[0];
    }

    public CnnBuilder conv(int filters, int kernel, int stride, int pad) {
        return conv(filters, kernel, stride, pad, true);
    }

    public CnnBuilder conv(int filters, int kernel, int stride, int pad, boolean bias) {
        b.add(new Conv2D(b.backend(), b.store(), b.nextName(), channels(), filters, kernel, stride, pad, bias,
                Initializer.HE_NORMAL));
        return this;
    }

    public CnnBuilder maxPool(int window, int stride) {
        b.add(Pool2D.max(b.backend(), window, stride));
        return this;
    }

    public CnnBuilder avgPool(int window, int stride) {
        b.add(Pool2D.avg(b.backend(), window, stride));
        return this;
    }

    /** Average over the whole remaining H x W (which must be square). */
    public CnnBuilder globalAvgPool() {
        channels(); // a (C,H,W) map: after a flatten there is no H x W to pool
        int[] s = shape();
        if (s[1] != s[2]) {
            throw new IllegalStateException("global average pooling needs a square map, have " + java.util.Arrays.toString(s));
        }
        return avgPool(s[1], s[1]);
    }

    public CnnBuilder batchNorm() {
        b.add(new BatchNorm(b.backend(), b.store(), b.nextName(), shape()[0]));
        return this;
    }

    public CnnBuilder residual(int out, int stride) {
        b.add(new ResidualBlock(b.backend(), b.store(), b.nextName(), channels(), out, stride));
        return this;
    }

    public CnnBuilder flatten() {
        b.add(new Flatten());
        return this;
    }

    public CnnBuilder dense(int out, Initializer init) {
        b.dense(out, init);
        return this;
    }

    public CnnBuilder activation(Activation fn) {
        b.activation(fn);
        return this;
    }

    /** Any layer, such as one a module registers with {@code LayerRegistry} (checkpoints rebuild it by its type). */
    public CnnBuilder add(Layer layer) {
        b.add(layer);
        return this;
    }

    public CnnBuilder relu() {
        return activation(Activation.RELU);
    }

    public Sequential build() {
        return b.build();
    }
}
