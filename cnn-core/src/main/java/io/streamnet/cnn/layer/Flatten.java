package io.streamnet.cnn.layer;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.streamnet.engine.nn.Parameter;
import io.streamnet.engine.nn.layer.Layer;
import io.streamnet.engine.tensor.Tensor;
import java.util.List;

/**
 * (N, d1, d2, ...) -> (N, d1*d2*...) as a view: no copy. The views are cached per input tensor, so
 * the steady state (the previous layer returning its same buffer) allocates nothing.
 */
public final class Flatten implements Layer {
    public static final String TYPE = "flatten";

    private Tensor lastInput;
    private Tensor lastOutput;
    private Tensor lastGradOut;
    private Tensor lastGradIn;

    @Override
    public Tensor forward(Tensor x, boolean training) {
        if (x != lastInput) {
            lastInput = x;
            lastOutput = x.reshape(x.dim(0), x.dim(0) == 0 ? 0 : x.size() / x.dim(0));
            lastGradOut = null;
        }
        return lastOutput;
    }

    @Override
    public Tensor backward(Tensor gradOut) {
        if (gradOut != lastGradOut) {
            lastGradOut = gradOut;
            lastGradIn = gradOut.reshape(lastInput.shape());
        }
        return lastGradIn;
    }

    @Override
    public List<Parameter> parameters() {
        return List.of();
    }

    @Override
    public int[] outputShape(int[] in) {
        int features = 1;
        for (int i = 1; i < in.length; i++) {
            features *= in[i];
        }
        return new int[] {in[0], features};
    }

    @Override
    public ObjectNode spec() {
        ObjectNode n = JsonNodeFactory.instance.objectNode();
        n.put("type", TYPE);
        return n;
    }
}
