package io.streamnet.engine.cpu;

/**
 * tanh and sigmoid over array ranges. The JDK's scalar Math.tanh costs ~60 ns per call here and
 * dominated RNN steps; the Vector API versions use the JVM's vectorised math (~0.5 ns per element).
 * Results of one element never depend on its neighbours or its position in the range, so a key's
 * step is the same alone or in a batch.
 */
interface ActivationMath {
    void tanh(float[] x, int xo, float[] y, int yo, int n);

    void sigmoid(float[] x, int xo, float[] y, int yo, int n);

    /** gx = x > 0 ? gy : 0, the ReLU's backward (a select the scalar JIT leaves as a mispredicting branch). */
    default void reluBackward(float[] x, int xo, float[] gy, int gyo, float[] gx, int gxo, int n) {
        for (int i = 0; i < n; i++) {
            gx[gxo + i] = x[xo + i] > 0f ? gy[gyo + i] : 0f;
        }
    }

    /** The implementation for this JVM: vectorised when jdk.incubator.vector is enabled. */
    static ActivationMath get() {
        return Holder.INSTANCE;
    }

    final class Holder {
        static final ActivationMath INSTANCE = choose();

        private Holder() {
        }

        private static ActivationMath choose() {
            if (!"scalar".equalsIgnoreCase(System.getProperty("streamnet.gemm"))
                    && ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent()) {
                try {
                    return new VectorActivationMath();
                } catch (LinkageError e) {
                    return new ScalarActivationMath();
                }
            }
            return new ScalarActivationMath();
        }
    }
}
