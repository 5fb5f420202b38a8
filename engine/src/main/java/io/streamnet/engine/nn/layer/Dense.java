package io.streamnet.engine.nn.layer;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.streamnet.engine.backend.Backend;
import io.streamnet.engine.nn.Parameter;
import io.streamnet.engine.nn.ParameterStore;
import io.streamnet.engine.nn.init.Initializer;
import io.streamnet.engine.tensor.ShapeMismatchException;
import io.streamnet.engine.tensor.Tensor;
import java.util.List;

/**
 * Fully connected: y (N,out) = x (N,in) W + b, with W (in,out) and b (out). W is stored input-major so
 * that the forward product needs no transpose: at batch 1 it takes the gemm's unpacked row path.
 */
public final class Dense implements Layer {
    private final Backend backend;
    private final int in;
    private final int out;
    private final Initializer init;
    private final Parameter weight;
    private final Parameter bias;
    private Tensor input;
    private Tensor output;
    private Tensor gradInput;

    public Dense(Backend backend, ParameterStore store, String name, int in, int out, Initializer init) {
        this.backend = backend;
        this.in = in;
        this.out = out;
        this.init = init;
        this.weight = store.create(name + ".weight", init, in, out, in, out);
        this.bias = store.create(name + ".bias", Initializer.ZEROS, in, out, out);
    }

    @Override
    public Tensor forward(Tensor x, boolean training) {
        if (x.rank() != 2 || x.dim(1) != in) {
            throw new ShapeMismatchException("Dense(" + in + "->" + out + "): input shape " + x.shapeString()
                    + " vs expected [N, " + in + "]");
        }
        input = x;
        output = Buffers.ensure(output, x.dim(0), out);
        backend.gemm(false, false, 1f, x, weight.value(), 0f, output);
        backend.addBias(output, bias.value());
        return output;
    }

    @Override
    public Tensor backward(Tensor gradOut) {
        // dW (in,out) += x^T (in,N) gradOut (N,out); db += column sums; dx = gradOut W^T.
        backend.gemm(true, false, 1f, input, gradOut, 1f, weight.grad());
        backend.sumRows(gradOut, bias.grad(), true);
        gradInput = Buffers.ensure(gradInput, gradOut.dim(0), in);
        backend.gemm(false, true, 1f, gradOut, weight.value(), 0f, gradInput);
        return gradInput;
    }

    @Override
    public List<Parameter> parameters() {
        return List.of(weight, bias);
    }

    public Parameter weight() {
        return weight;
    }

    public Parameter bias() {
        return bias;
    }

    @Override
    public int[] outputShape(int[] inputShape) {
        return new int[] {inputShape[0], out};
    }

    @Override
    public String describe() {
        return "dense " + in + "->" + out;
    }

    @Override
    public ObjectNode spec() {
        ObjectNode n = JsonNodeFactory.instance.objectNode();
        n.put("type", "dense");
        n.put("in", in);
        n.put("out", out);
        n.put("init", init.name().toLowerCase(java.util.Locale.ROOT));
        return n;
    }
}
