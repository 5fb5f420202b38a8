package io.streamnet.engine.cpu;

/** Plain-Java tanh and sigmoid, used when the Vector API module is not enabled. */
final class ScalarActivationMath implements ActivationMath {
    @Override
    public void tanh(float[] x, int xo, float[] y, int yo, int n) {
        for (int i = 0; i < n; i++) {
            y[yo + i] = (float) Math.tanh(x[xo + i]);
        }
    }

    @Override
    public void sigmoid(float[] x, int xo, float[] y, int yo, int n) {
        for (int i = 0; i < n; i++) {
            y[yo + i] = Elementwise.sigmoid(x[xo + i]);
        }
    }
}
