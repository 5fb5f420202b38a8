package io.streamnet.engine.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/** {@link PlaneSums} in two vector accumulators (independent chains), the tail in scalar. */
final class VectorPlaneSums implements PlaneSums.Impl {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;

    @Override
    public float sum(float[] a, int o, int n) {
        FloatVector v0 = FloatVector.zero(S);
        FloatVector v1 = FloatVector.zero(S);
        int w = S.length();
        int k = 0;
        for (; k + 2 * w <= n; k += 2 * w) {
            v0 = v0.add(FloatVector.fromArray(S, a, o + k));
            v1 = v1.add(FloatVector.fromArray(S, a, o + k + w));
        }
        if (k + w <= n) {
            v0 = v0.add(FloatVector.fromArray(S, a, o + k));
            k += w;
        }
        float s = v0.add(v1).reduceLanes(VectorOperators.ADD);
        for (; k < n; k++) {
            s += a[o + k];
        }
        return s;
    }

    @Override
    public float squaredDeviations(float[] a, int o, int n, float mu) {
        FloatVector m = FloatVector.broadcast(S, mu);
        FloatVector v0 = FloatVector.zero(S);
        FloatVector v1 = FloatVector.zero(S);
        int w = S.length();
        int k = 0;
        for (; k + 2 * w <= n; k += 2 * w) {
            FloatVector d0 = FloatVector.fromArray(S, a, o + k).sub(m);
            FloatVector d1 = FloatVector.fromArray(S, a, o + k + w).sub(m);
            v0 = d0.fma(d0, v0);
            v1 = d1.fma(d1, v1);
        }
        if (k + w <= n) {
            FloatVector d0 = FloatVector.fromArray(S, a, o + k).sub(m);
            v0 = d0.fma(d0, v0);
            k += w;
        }
        float s = v0.add(v1).reduceLanes(VectorOperators.ADD);
        for (; k < n; k++) {
            float d = a[o + k] - mu;
            s += d * d;
        }
        return s;
    }

    @Override
    public float dot(float[] a, int ao, float[] b, int bo, int n) {
        FloatVector v0 = FloatVector.zero(S);
        FloatVector v1 = FloatVector.zero(S);
        int w = S.length();
        int k = 0;
        for (; k + 2 * w <= n; k += 2 * w) {
            v0 = FloatVector.fromArray(S, a, ao + k).fma(FloatVector.fromArray(S, b, bo + k), v0);
            v1 = FloatVector.fromArray(S, a, ao + k + w).fma(FloatVector.fromArray(S, b, bo + k + w), v1);
        }
        if (k + w <= n) {
            v0 = FloatVector.fromArray(S, a, ao + k).fma(FloatVector.fromArray(S, b, bo + k), v0);
            k += w;
        }
        float s = v0.add(v1).reduceLanes(VectorOperators.ADD);
        for (; k < n; k++) {
            s += a[ao + k] * b[bo + k];
        }
        return s;
    }
}
