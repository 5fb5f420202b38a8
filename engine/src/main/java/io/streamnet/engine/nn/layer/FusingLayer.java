package io.streamnet.engine.nn.layer;

import io.streamnet.engine.tensor.Tensor;
import java.util.List;

/**
 * A layer that can compute some of the layers after it inside its own inference pass: a convolution
 * with the batch norm and ReLU that follow it makes one pass over memory instead of three, the batch
 * norm folded into its weights. {@link Sequential} asks once, when it is built, and from then on calls
 * {@link #forwardFused} in inference instead of running the absorbed layers; training runs every
 * layer as it is, so gradients are unchanged.
 */
public interface FusingLayer extends Layer {
    /** How many of {@code following} (the layers after this one, in order) {@link #forwardFused} can compute too; 0 for none. */
    int fusable(List<Layer> following);

    /**
     * {@code forward(x, false)} of this layer followed by the layers in {@code fused} (a prefix of the
     * following layers, no longer than {@link #fusable} allowed), within float rounding.
     */
    Tensor forwardFused(Tensor x, List<Layer> fused);
}
