package io.streamnet.engine.cpu;

import io.streamnet.engine.backend.Activation;

/** Element-wise kernels on flat array ranges; each loop is a plain indexed loop C2 can vectorize. */
final class Elementwise {
    private Elementwise() {
    }

    static void activate(Activation f, float[] x, int xo, float[] y, int yo, int n) {
        switch (f.kind()) {
            case IDENTITY -> {
                if (x != y || xo != yo) {
                    System.arraycopy(x, xo, y, yo, n);
                }
            }
            case SIGMOID -> ActivationMath.get().sigmoid(x, xo, y, yo, n);
            case TANH -> ActivationMath.get().tanh(x, xo, y, yo, n);
            case RELU -> {
                for (int i = 0; i < n; i++) {
                    y[yo + i] = Math.max(x[xo + i], 0f);
                }
            }
            case LEAKY_RELU -> {
                float s = f.slope();
                for (int i = 0; i < n; i++) {
                    float v = x[xo + i];
                    y[yo + i] = v > 0f ? v : s * v;
                }
            }
        }
    }

    /** Numerically stable in both tails: exp of a non-positive argument only. */
    static float sigmoid(float v) {
        if (v >= 0f) {
            return (float) (1.0 / (1.0 + Math.exp(-v)));
        }
        double e = Math.exp(v);
        return (float) (e / (1.0 + e));
    }

    static void activateBackward(Activation f, float[] x, int xo, float[] y, int yo,
                                 float[] gy, int gyo, float[] gx, int gxo, int n) {
        switch (f.kind()) {
            case IDENTITY -> {
                if (gy != gx || gyo != gxo) {
                    System.arraycopy(gy, gyo, gx, gxo, n);
                }
            }
            case SIGMOID -> {
                for (int i = 0; i < n; i++) {
                    float s = y[yo + i];
                    gx[gxo + i] = gy[gyo + i] * s * (1f - s);
                }
            }
            case TANH -> {
                for (int i = 0; i < n; i++) {
                    float t = y[yo + i];
                    gx[gxo + i] = gy[gyo + i] * (1f - t * t);
                }
            }
            case RELU -> ActivationMath.get().reluBackward(x, xo, gy, gyo, gx, gxo, n);
            case LEAKY_RELU -> {
                float s = f.slope();
                for (int i = 0; i < n; i++) {
                    gx[gxo + i] = x[xo + i] > 0f ? gy[gyo + i] : s * gy[gyo + i];
                }
            }
        }
    }
}
