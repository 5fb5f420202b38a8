package io.streamnet.engine.nn.optim;

import io.streamnet.engine.backend.Backend;
import io.streamnet.engine.nn.Parameter;
import java.util.List;

/** Clipping by global norm (Pascanu et al., 2013): the standard guard against exploding RNN gradients. */
public final class GradientClipping {
    private GradientClipping() {
    }

    /** The L2 norm of all gradients taken together. */
    public static float globalNorm(Backend backend, List<Parameter> parameters) {
        double sq = 0;
        for (Parameter p : parameters) {
            sq += backend.sumOfSquares(p.grad());
        }
        return (float) Math.sqrt(sq);
    }

    /**
     * Scales every gradient by {@code maxNorm / norm} when the global norm exceeds {@code maxNorm},
     * keeping their direction. Returns the norm before clipping.
     */
    public static float clipByGlobalNorm(Backend backend, List<Parameter> parameters, float maxNorm) {
        if (!(maxNorm > 0f)) {
            throw new IllegalArgumentException("maxNorm must be positive, got " + maxNorm);
        }
        float norm = globalNorm(backend, parameters);
        if (norm > maxNorm && Float.isFinite(norm)) {
            float s = maxNorm / norm;
            for (Parameter p : parameters) {
                backend.scale(p.grad(), s);
            }
        }
        return norm;
    }
}
