package io.streamnet.cnn.layer;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.streamnet.engine.backend.Backend;
import io.streamnet.engine.backend.PoolGeometry;
import io.streamnet.engine.nn.Parameter;
import io.streamnet.engine.nn.layer.Layer;
import io.streamnet.engine.tensor.ShapeMismatchException;
import io.streamnet.engine.tensor.Tensor;
import java.util.Arrays;
import java.util.List;

/**
 * Max or average pooling over (N,C,H,W) with a square window and stride, no padding:
 * H' = (H - window) / stride + 1. Max pooling remembers each output's winning input index for the
 * backward pass; average pooling spreads the gradient evenly over the window.
 */
public final class Pool2D implements Layer {
    public enum Kind {
        MAX("maxpool2d"), AVG("avgpool2d");

        private final String type;

        Kind(String type) {
            this.type = type;
        }

        public String type() {
            return type;
        }
    }

    private final Backend backend;
    private final Kind kind;
    private final int window;
    private final int stride;
    private final PoolGeometry geometry;
    private Tensor output;
    private Tensor gradInput;
    private int[] argmax;
    private int[] inputShape;

    public Pool2D(Backend backend, Kind kind, int window, int stride) {
        this.backend = backend;
        this.kind = kind;
        this.window = window;
        this.stride = stride;
        this.geometry = PoolGeometry.square(window, stride);
    }

    public static Pool2D max(Backend backend, int window, int stride) {
        return new Pool2D(backend, Kind.MAX, window, stride);
    }

    public static Pool2D avg(Backend backend, int window, int stride) {
        return new Pool2D(backend, Kind.AVG, window, stride);
    }

    @Override
    public Tensor forward(Tensor x, boolean training) {
        if (!sameInputShape(x)) {
            int[] out = outputShape(x.shape());
            inputShape = x.shape();
            output = Tensor.zeros(out);
            gradInput = Tensor.zeros(inputShape);
            argmax = kind == Kind.MAX ? new int[output.size()] : null;
        }
        if (kind == Kind.MAX) {
            backend.maxPool(x, geometry, output, argmax);
        } else {
            backend.avgPool(x, geometry, output);
        }
        return output;
    }

    /** As forward in eval mode, but max pooling records no positions (no backward follows). */
    @Override
    public Tensor infer(Tensor x) {
        if (kind != Kind.MAX) {
            return forward(x, false);
        }
        if (!sameInputShape(x)) {
            forward(x, false); // sizes the buffers
            return output;
        }
        backend.maxPool(x, geometry, output, null);
        return output;
    }

    /** Compares without copying the shape, so that the steady state allocates nothing. */
    private boolean sameInputShape(Tensor x) {
        if (inputShape == null || x.rank() != inputShape.length) {
            return false;
        }
        for (int i = 0; i < inputShape.length; i++) {
            if (x.dim(i) != inputShape[i]) {
                return false;
            }
        }
        return true;
    }

    @Override
    public Tensor backward(Tensor gradOut) {
        if (!gradOut.sameShape(output)) {
            throw new ShapeMismatchException(kind.type() + " backward: gradient " + gradOut.shapeString()
                    + " vs output " + output.shapeString());
        }
        gradInput.fill(0f);
        if (kind == Kind.MAX) {
            backend.maxPoolBackward(gradOut, argmax, gradInput);
        } else {
            backend.avgPoolBackward(gradOut, geometry, gradInput);
        }
        return gradInput;
    }

    @Override
    public List<Parameter> parameters() {
        return List.of();
    }

    @Override
    public int[] outputShape(int[] in) {
        if (in.length != 4 || in[2] < window || in[3] < window) {
            throw new ShapeMismatchException(kind.type() + " " + window + "x" + window + ": input shape "
                    + Arrays.toString(in) + " is not [N, C, H, W] with H, W >= " + window);
        }
        return new int[] {in[0], in[1], geometry.outH(in[2]), geometry.outW(in[3])};
    }

    public Kind kind() {
        return kind;
    }

    @Override
    public String describe() {
        return kind.type() + " " + window + "x" + window + " s" + stride;
    }

    @Override
    public ObjectNode spec() {
        ObjectNode n = JsonNodeFactory.instance.objectNode();
        n.put("type", kind.type());
        n.put("window", window);
        n.put("stride", stride);
        return n;
    }
}
