package io.streamnet.engine.nn.optim;

import io.streamnet.engine.nn.Parameter;
import java.util.List;

/** Applies accumulated gradients to parameters; keeps per-parameter state (momentum, moments). */
public interface Optimizer {
    /** One update of every parameter from its gradient; gradients are left as they are. */
    void step(List<Parameter> parameters);

    /** Updates done so far. */
    long steps();

    /** The learning rate the next step will use. */
    float currentRate();

    /**
     * The optimizer's per-parameter state (momentum, moments), flat, in {@code parameters}' order:
     * with {@link #steps()}, what {@link #restore} needs to continue exactly where it stopped (an
     * online trainer checkpoints it). Parameters not stepped yet give zeros.
     */
    float[][] state(List<Parameter> parameters);

    /** Continues from {@link #state}: {@code steps} updates done, {@code state} as it gave it. */
    void restore(List<Parameter> parameters, long steps, float[][] state);
}
