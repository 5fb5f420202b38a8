package io.streamnet.engine.nn.optim;

import io.streamnet.engine.backend.Backend;
import io.streamnet.engine.nn.Parameter;
import io.streamnet.engine.tensor.Tensor;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/** Adam (Kingma and Ba, 2015) with bias correction and optional L2 weight decay. */
public final class Adam implements Optimizer {
    private final Backend backend;
    private final LearningRateSchedule schedule;
    private final float beta1;
    private final float beta2;
    private final float epsilon;
    private final float weightDecay;
    private final Map<Parameter, Tensor[]> moments = new IdentityHashMap<>();
    private long steps;

    public Adam(Backend backend, LearningRateSchedule schedule) {
        this(backend, schedule, 0.9f, 0.999f, 1e-8f, 0f);
    }

    public Adam(Backend backend, LearningRateSchedule schedule, float beta1, float beta2, float epsilon,
                float weightDecay) {
        if (!(beta1 >= 0f && beta1 < 1f) || !(beta2 >= 0f && beta2 < 1f) || !(epsilon > 0f) || weightDecay < 0f) {
            throw new IllegalArgumentException("Adam needs beta1, beta2 in [0, 1), epsilon > 0, weightDecay >= 0, got "
                    + beta1 + ", " + beta2 + ", " + epsilon + ", " + weightDecay);
        }
        this.backend = backend;
        this.schedule = schedule;
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.epsilon = epsilon;
        this.weightDecay = weightDecay;
    }

    @Override
    public void step(List<Parameter> parameters) {
        float lr = schedule.rate(steps);
        int t = (int) Math.min(Integer.MAX_VALUE, steps + 1);
        for (Parameter p : parameters) {
            Tensor[] mv = moments.computeIfAbsent(p,
                    k -> new Tensor[] {Tensor.zeros(k.value().shape()), Tensor.zeros(k.value().shape())});
            backend.adamUpdate(p.value(), p.grad(), mv[0], mv[1], lr, beta1, beta2, epsilon, t, weightDecay);
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

    /** Per parameter: first moment, then second moment. */
    @Override
    public float[][] state(List<Parameter> parameters) {
        float[][] s = new float[parameters.size() * 2][];
        for (int i = 0; i < parameters.size(); i++) {
            Parameter p = parameters.get(i);
            Tensor[] mv = moments.get(p);
            s[2 * i] = mv == null ? new float[p.value().size()] : mv[0].toArray();
            s[2 * i + 1] = mv == null ? new float[p.value().size()] : mv[1].toArray();
        }
        return s;
    }

    @Override
    public void restore(List<Parameter> parameters, long steps, float[][] state) {
        OptimizerStates.check(parameters, state, 2);
        moments.clear();
        for (int i = 0; i < parameters.size(); i++) {
            Parameter p = parameters.get(i);
            moments.put(p, new Tensor[] {Tensor.wrap(state[2 * i].clone(), p.value().shape()),
                Tensor.wrap(state[2 * i + 1].clone(), p.value().shape())});
        }
        this.steps = steps;
    }
}
