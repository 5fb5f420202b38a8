package io.streamnet.interop.cnn;

import io.streamnet.interop.safetensors.SafeTensors.Tensor;

/**
 * One layer of an imported CNN with its weights resolved, in PyTorch's layouts: what both the
 * safetensors ARCH and the ONNX graph reduce to before {@link CnnImport} builds the model.
 * {@code name} is where the weights came from, for messages.
 */
public sealed interface CnnLayer {
    /** {@code nn.Conv2d}: weight (F, C, k, k), square kernel, symmetric padding; bias (F) or null. */
    record Conv(String name, Tensor weight, Tensor bias, int stride, int pad) implements CnnLayer {
        public int filters() {
            return weight.shape()[0];
        }

        public int channels() {
            return weight.shape()[1];
        }

        public int kernel() {
            return weight.shape()[2];
        }
    }

    /** {@code nn.BatchNorm2d} in eval mode: weight (gamma), bias (beta), running mean and variance, epsilon. */
    record BatchNorm(String name, Tensor weight, Tensor bias, Tensor mean, Tensor var, float epsilon)
            implements CnnLayer {
    }

    record Relu() implements CnnLayer {
    }

    record MaxPool(int window, int stride) implements CnnLayer {
    }

    record AvgPool(int window, int stride) implements CnnLayer {
    }

    /** Average over the whole map ({@code nn.AdaptiveAvgPool2d(1)}, ONNX GlobalAveragePool). */
    record GlobalAvgPool() implements CnnLayer {
    }

    record Flatten() implements CnnLayer {
    }

    /** {@code nn.Linear}: weight (out, in), bias (out) or null. */
    record Linear(String name, Tensor weight, Tensor bias) implements CnnLayer {
    }

    /**
     * torchvision's BasicBlock: relu(bn2(conv2(relu(bn1(conv1(x))))) + shortcut(x)), the shortcut the
     * identity or {@code downsample} = conv 1x1 (+ batch norm). A batch norm may be null where an
     * exporter folded it into its convolution's bias.
     */
    record Residual(String name, Conv conv1, BatchNorm bn1, Conv conv2, BatchNorm bn2, Conv proj, BatchNorm projBn)
            implements CnnLayer {
    }
}
