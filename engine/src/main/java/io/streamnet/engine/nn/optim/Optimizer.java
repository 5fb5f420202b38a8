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
}
