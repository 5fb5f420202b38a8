package io.streamnet.engine.nn.loss;

import io.streamnet.engine.backend.Backend;
import io.streamnet.engine.nn.layer.Buffers;
import io.streamnet.engine.tensor.Tensor;

/** Cross-entropy of softmax(logits) against class labels, with the fused gradient (p - onehot) / N. */
public final class SoftmaxCrossEntropyLoss {
    private final Backend backend;
    private Tensor grad;

    public SoftmaxCrossEntropyLoss(Backend backend) {
        this.backend = backend;
    }

    /** Mean loss of logits (N,C) against labels; {@link #gradient()} then holds d loss / d logits. */
    public float forward(Tensor logits, int[] labels) {
        grad = Buffers.ensure(grad, logits.shape());
        return backend.softmaxCrossEntropy(logits, labels, grad);
    }

    public Tensor gradient() {
        return grad;
    }
}
