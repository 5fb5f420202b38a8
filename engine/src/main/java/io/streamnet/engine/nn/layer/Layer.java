package io.streamnet.engine.nn.layer;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.streamnet.engine.nn.Parameter;
import io.streamnet.engine.tensor.Tensor;
import java.util.List;

/**
 * A differentiable layer over batches: {@code forward} and {@code backward} sit side by side in each
 * implementation. {@code forward} keeps what {@code backward} needs; {@code backward} accumulates
 * parameter gradients and returns the gradient with respect to the input. Returned tensors are the
 * layer's own buffers, valid until its next call (reallocated only when the batch size changes).
 * A layer instance holds activations, so it is not thread-safe; use one per training loop.
 */
public interface Layer {
    Tensor forward(Tensor input, boolean training);

    Tensor backward(Tensor gradOutput);

    /**
     * Inference when no backward pass follows: {@code forward(x, false)} within float rounding, but a
     * layer may fuse its steps (batch norm folded into a convolution) and keep nothing for backward.
     */
    default Tensor infer(Tensor input) {
        return forward(input, false);
    }

    List<Parameter> parameters();

    /**
     * What may stay on a device across this layer's inference passes ({@link
     * io.streamnet.engine.backend.Residency}): its parameters' values, and buffers derived from them
     * that it rewrites only inside a pass, announcing it with {@code Backend.hostWrote}.
     */
    default List<Tensor> residentTensors() {
        List<Tensor> t = new java.util.ArrayList<>();
        for (Parameter p : parameters()) {
            t.add(p.value());
        }
        return t;
    }

    /** Output shape for an input shape, both with the batch dimension first. */
    int[] outputShape(int[] inputShape);

    /** The layer's architecture entry: a "type" plus what rebuilds it (see {@link LayerRegistry}). */
    ObjectNode spec();

    /** A short description for model summaries, e.g. "conv2d 6@5x5 s1 p2"; the type by default. */
    default String describe() {
        return spec().path("type").asText();
    }
}
