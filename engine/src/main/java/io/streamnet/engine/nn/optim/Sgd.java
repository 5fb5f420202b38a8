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
}
