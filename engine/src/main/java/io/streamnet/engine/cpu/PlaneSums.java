package io.streamnet.engine.cpu;

/**
 * Float sums over one contiguous range (a batch-norm plane: one image's channel), for layers that
 * reduce on the host. Vectorised where jdk.incubator.vector is enabled (the JIT does not vectorise
 * a float reduction: it may not reorder the additions); the scalar form keeps four independent
 * accumulators. Callers add the planes in double, so the float error stays that of one plane.
 */
public final class PlaneSums {
    interface Impl {
        float sum(float[] a, int o, int n);

        float squaredDeviations(float[] a, int o, int n, float mu);

        float dot(float[] a, int ao, float[] b, int bo, int n);
    }

    private static final Impl IMPL = choose();

    private PlaneSums() {
    }

    /** sum of a[o .. o+n). */
    public static float sum(float[] a, int o, int n) {
        return IMPL.sum(a, o, n);
    }

    /** sum of (a[i] - mu)^2 over [o, o+n). */
    public static float squaredDeviations(float[] a, int o, int n, float mu) {
        return IMPL.squaredDeviations(a, o, n, mu);
    }

    /** sum of a[ao+i] * b[bo+i] for i in [0, n). */
    public static float dot(float[] a, int ao, float[] b, int bo, int n) {
        return IMPL.dot(a, ao, b, bo, n);
    }

    private static Impl choose() {
        if (!"scalar".equalsIgnoreCase(System.getProperty("streamnet.gemm"))
                && ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent()) {
            try {
                return new VectorPlaneSums();
            } catch (LinkageError e) {
                return new Scalar();
            }
        }
        return new Scalar();
    }

    static final class Scalar implements Impl {
        @Override
        public float sum(float[] a, int o, int n) {
            float s0 = 0f;
            float s1 = 0f;
            float s2 = 0f;
            float s3 = 0f;
            int k = 0;
            for (; k + 4 <= n; k += 4) {
                s0 += a[o + k];
                s1 += a[o + k + 1];
                s2 += a[o + k + 2];
                s3 += a[o + k + 3];
            }
            for (; k < n; k++) {
                s0 += a[o + k];
            }
            return (s0 + s1) + (s2 + s3);
        }

        @Override
        public float squaredDeviations(float[] a, int o, int n, float mu) {
            float s0 = 0f;
            float s1 = 0f;
            float s2 = 0f;
            float s3 = 0f;
            int k = 0;
            for (; k + 4 <= n; k += 4) {
                float d0 = a[o + k] - mu;
                float d1 = a[o + k + 1] - mu;
                float d2 = a[o + k + 2] - mu;
                float d3 = a[o + k + 3] - mu;
                s0 += d0 * d0;
                s1 += d1 * d1;
                s2 += d2 * d2;
                s3 += d3 * d3;
            }
            for (; k < n; k++) {
                float d = a[o + k] - mu;
                s0 += d * d;
            }
            return (s0 + s1) + (s2 + s3);
        }

        @Override
        public float dot(float[] a, int ao, float[] b, int bo, int n) {
            float s0 = 0f;
            float s1 = 0f;
            float s2 = 0f;
            float s3 = 0f;
            int k = 0;
            for (; k + 4 <= n; k += 4) {
                s0 += a[ao + k] * b[bo + k];
                s1 += a[ao + k + 1] * b[bo + k + 1];
                s2 += a[ao + k + 2] * b[bo + k + 2];
                s3 += a[ao + k + 3] * b[bo + k + 3];
            }
            for (; k < n; k++) {
                s0 += a[ao + k] * b[bo + k];
            }
            return (s0 + s1) + (s2 + s3);
        }
    }
}
