package io.streamnet.cnn.layer;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.streamnet.engine.backend.Activation;
import io.streamnet.engine.backend.Backend;
import io.streamnet.engine.nn.Parameter;
import io.streamnet.engine.nn.ParameterStore;
import io.streamnet.engine.nn.init.Initializer;
import io.streamnet.engine.nn.layer.ActivationLayer;
import io.streamnet.engine.nn.layer.Layer;
import io.streamnet.engine.tensor.ShapeMismatchException;
import io.streamnet.engine.tensor.Tensor;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The basic residual block of He et al. (2016):
 * {@code y = relu(bn2(conv2(relu(bn1(conv1(x))))) + shortcut(x))}, both convolutions 3x3 with
 * padding 1 and no bias (batch norm follows), conv1 with the block's stride. The shortcut is the
 * identity when the shape is kept (same channels, stride 1), else a projection
 * {@code bn(conv 1x1, stride s)} (option B of the paper).
 */
public final class ResidualBlock implements Layer {
    public static final String TYPE = "residual";

    private final Backend backend;
    private final int in;
    private final int out;
    private final int stride;
    private final Conv2D conv1;
    private final BatchNorm bn1;
    private final ActivationLayer relu1;
    private final Conv2D conv2;
    private final BatchNorm bn2;
    private final Conv2D projConv;
    private final BatchNorm projBn;
    private final ActivationLayer reluOut;
    private final List<Parameter> params;
    private Tensor sum;
    private Tensor gradInput;

    public ResidualBlock(Backend backend, ParameterStore store, String name, int in, int out, int stride) {
        this.backend = backend;
        this.in = in;
        this.out = out;
        this.stride = stride;
        this.conv1 = new Conv2D(backend, store, name + ".conv1", in, out, 3, stride, 1, false, Initializer.HE_NORMAL);
        this.bn1 = new BatchNorm(backend, store, name + ".bn1", out);
        this.relu1 = new ActivationLayer(backend, Activation.RELU);
        this.conv2 = new Conv2D(backend, store, name + ".conv2", out, out, 3, 1, 1, false, Initializer.HE_NORMAL);
        this.bn2 = new BatchNorm(backend, store, name + ".bn2", out);
        if (in != out || stride != 1) {
            this.projConv = new Conv2D(backend, store, name + ".proj", in, out, 1, stride, 0, false, Initializer.HE_NORMAL);
            this.projBn = new BatchNorm(backend, store, name + ".proj_bn", out);
        } else {
            this.projConv = null;
            this.projBn = null;
        }
        this.reluOut = new ActivationLayer(backend, Activation.RELU);
        List<Parameter> p = new ArrayList<>();
        p.addAll(conv1.parameters());
        p.addAll(bn1.parameters());
        p.addAll(conv2.parameters());
        p.addAll(bn2.parameters());
        if (projConv != null) {
            p.addAll(projConv.parameters());
            p.addAll(projBn.parameters());
        }
        this.params = Collections.unmodifiableList(p);
    }

    public boolean hasProjection() {
        return projConv != null;
    }

    @Override
    public Tensor forward(Tensor x, boolean training) {
        Tensor a = relu1.forward(bn1.forward(conv1.forward(x, training), training), training);
        Tensor b = bn2.forward(conv2.forward(a, training), training);
        Tensor s = projConv == null ? x : projBn.forward(projConv.forward(x, training), training);
        if (!s.sameShape(b)) {
            throw new ShapeMismatchException("residual block: shortcut " + s.shapeString() + " vs main path " + b.shapeString());
        }
        if (sum == null || !sum.sameShape(b)) {
            sum = Tensor.zeros(b.shape());
        }
        backend.add(b, s, sum);
        if (gradInput == null || !gradInput.sameShape(x)) {
            gradInput = Tensor.zeros(x.shape());
        }
        return reluOut.forward(sum, training);
    }

    /** Each batch norm folded into its convolution; the sum and the final ReLU in conv2's output pass. */
    @Override
    public Tensor infer(Tensor x) {
        Tensor a = conv1.forwardInference(x, bn1, null, Activation.RELU);
        Tensor s = projConv == null ? x : projConv.forwardInference(x, projBn, null, null);
        return conv2.forwardInference(a, bn2, s, Activation.RELU);
    }

    @Override
    public Tensor backward(Tensor gradOut) {
        Tensor gSum = reluOut.backward(gradOut);
        Tensor gMain = conv1.backward(bn1.backward(relu1.backward(conv2.backward(bn2.backward(gSum)))));
        Tensor gShort = projConv == null ? gSum : projConv.backward(projBn.backward(gSum));
        backend.add(gMain, gShort, gradInput);
        return gradInput;
    }

    @Override
    public List<Tensor> residentTensors() {
        List<Tensor> t = new ArrayList<>(conv1.residentTensors());
        t.addAll(bn1.residentTensors());
        t.addAll(conv2.residentTensors());
        t.addAll(bn2.residentTensors());
        if (projConv != null) {
            t.addAll(projConv.residentTensors());
            t.addAll(projBn.residentTensors());
        }
        return t;
    }

    @Override
    public List<Parameter> parameters() {
        return params;
    }

    @Override
    public int[] outputShape(int[] inShape) {
        return conv2.outputShape(conv1.outputShape(inShape));
    }

    @Override
    public String describe() {
        return TYPE + " " + in + "->" + out + " s" + stride + (projConv == null ? "" : " proj");
    }

    @Override
    public ObjectNode spec() {
        ObjectNode n = JsonNodeFactory.instance.objectNode();
        n.put("type", TYPE);
        n.put("in", in);
        n.put("out", out);
        n.put("stride", stride);
        return n;
    }
}
