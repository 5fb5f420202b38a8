package io.streamnet.engine.nn;

import io.streamnet.engine.tensor.Tensor;

/** A trainable tensor and its gradient (same shape). Backward passes accumulate into {@link #grad()}. */
public final class Parameter {
    private final String name;
    private final Tensor value;
    private final Tensor grad;

    public Parameter(String name, Tensor value) {
        this.name = name;
        this.value = value;
        this.grad = Tensor.zeros(value.shape());
    }

    public String name() {
        return name;
    }

    public Tensor value() {
        return value;
    }

    public Tensor grad() {
        return grad;
    }

    public void zeroGrad() {
        grad.fill(0f);
    }

    @Override
    public String toString() {
        return name + value.shapeString();
    }
}
