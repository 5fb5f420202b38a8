package io.streamnet.engine.nn.loss;

import io.streamnet.engine.backend.Backend;
import io.streamnet.engine.nn.layer.Buffers;
import io.streamnet.engine.tensor.Tensor;

/** Mean squared error over all elements, for regression outputs. */
public final class MeanSquaredErrorLoss {
    private final Backend backend;
    private Tensor grad;

    public MeanSquaredErrorLoss(Backend backend) {
        this.backend = backend;
    }

    public float forward(Tensor prediction, Tensor target) {
        grad = Buffers.ensure(grad, prediction.shape());
        return backend.mse(prediction, target, grad);
    }

    public Tensor gradient() {
        return grad;
    }
}
