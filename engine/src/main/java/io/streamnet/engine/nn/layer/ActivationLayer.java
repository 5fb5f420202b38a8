package io.streamnet.engine.nn.layer;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.streamnet.engine.backend.Activation;
import io.streamnet.engine.backend.Backend;
import io.streamnet.engine.nn.Parameter;
import io.streamnet.engine.tensor.Tensor;
import java.util.List;

/** An element-wise nonlinearity as a layer (sigmoid, tanh, ReLU, leaky ReLU, identity). */
public final class ActivationLayer implements Layer {
    private final Backend backend;
    private final Activation fn;
    private Tensor input;
    private Tensor output;
    private Tensor gradInput;

    public ActivationLayer(Backend backend, Activation fn) {
        this.backend = backend;
        this.fn = fn;
    }

    public Activation activation() {
        return fn;
    }

    @Override
    public Tensor forward(Tensor x, boolean training) {
        input = x;
        output = Buffers.ensure(output, x.shape());
        backend.activate(fn, x, output);
        return output;
    }

    @Override
    public Tensor backward(Tensor gradOut) {
        gradInput = Buffers.ensure(gradInput, gradOut.shape());
        backend.activateBackward(fn, input, output, gradOut, gradInput);
        return gradInput;
    }

    @Override
    public List<Parameter> parameters() {
        return List.of();
    }

    @Override
    public int[] outputShape(int[] inputShape) {
        return inputShape.clone();
    }

    @Override
    public String describe() {
        return "activation " + fn.spec();
    }

    @Override
    public ObjectNode spec() {
        ObjectNode n = JsonNodeFactory.instance.objectNode();
        n.put("type", "activation");
        n.put("fn", fn.spec());
        return n;
    }
}
