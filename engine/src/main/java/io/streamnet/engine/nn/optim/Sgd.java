package io.streamnet.engine.nn.optim;

import io.streamnet.engine.backend.Backend;
import io.streamnet.engine.nn.Parameter;
import io.streamnet.engine.tensor.Tensor;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/** Stochastic gradient descent with (heavy-ball) momentum and L2 weight decay. */
public final class Sgd implements Optimizer {
    private final Backend backend;
    private final LearningRateSchedule schedule;
    private final float momentum;
    private final float weightDecay;
    private final Map<Parameter, Tensor> velocity = new IdentityHashMap<>();
    private long steps;

    public Sgd(Backend backend, LearningRateSchedule schedule, float momentum, float weightDecay) {
        if (momentum < 0f || momentum >= 1f || weightDecay < 0f) {
            throw new IllegalArgumentException("SGD needs momentum in [0, 1) and weightDecay >= 0, got "
                    + momentum + ", " + weightDecay);
        }
        this.backend = backend;
        this.schedule = schedule;
        this.momentum = momentum;
        this.weightDecay = weightDecay;
    }

    @Override
    public void step(List<Parameter> parameters) {
        float lr = schedule.rate(steps);
        for (Parameter p : parameters) {
            Tensor v = momentum == 0f ? null : velocity.computeIfAbsent(p, k -> Tensor.zeros(k.value().shape()));
            backend.sgdUpdate(p.value(), p.grad(), v, lr, momentum, weightDecay);
        }
        steps++;
    }

    @Override
    public long steps() {
        return steps;
    }

    @Override
    public float currentRate() {
        return schedule.rate(steps);
    }

    /** Per parameter: its velocity (none without momentum). */
    @Override
    public float[][] state(List<Parameter> parameters) {
        if (momentum == 0f) {
            return new float[0][];
        }
        float[][] s = new float[parameters.size()][];
        for (int i = 0; i < parameters.size(); i++) {
            Tensor v = velocity.get(parameters.get(i));
            s[i] = v == null ? new float[parameters.get(i).value().size()] : v.toArray();
        }
        return s;
    }

    @Override
    public void restore(List<Parameter> parameters, long steps, float[][] state) {
        OptimizerStates.check(parameters, state, momentum == 0f ? 0 : 1);
        velocity.clear();
        for (int i = 0; i < state.length; i++) {
            Parameter p = parameters.get(i);
            velocity.put(p, Tensor.wrap(state[i].clone(), p.value().shape()));
        }
        this.steps = steps;
    }
}
