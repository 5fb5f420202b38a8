package io.streamnet.engine.nn.optim;

import io.streamnet.engine.nn.Parameter;
import java.util.List;

/** The shape check every optimizer's {@code restore} makes before it touches its state. */
final class OptimizerStates {
    private OptimizerStates() {
    }

    /** {@code state} holds {@code perParameter} arrays per parameter, each of the parameter's size. */
    static void check(List<Parameter> parameters, float[][] state, int perParameter) {
        if (state.length != parameters.size() * perParameter) {
            throw new IllegalArgumentException("optimizer state of " + state.length + " arrays for "
                    + parameters.size() + " parameters x " + perParameter);
        }
        for (int i = 0; i < state.length; i++) {
            int size = parameters.get(i / Math.max(1, perParameter)).value().size();
            if (state[i].length != size) {
                throw new IllegalArgumentException("optimizer state " + i + " holds " + state[i].length
                        + " values for a parameter of " + size);
            }
        }
    }
}
