package io.streamnet.interop.onnx;

import static io.streamnet.interop.onnx.OnnxGraph.describe;
import static io.streamnet.interop.onnx.OnnxGraph.in;

import io.streamnet.interop.ImportException;
import io.streamnet.interop.Matrices;
import io.streamnet.interop.cnn.CnnLayer;
import io.streamnet.interop.onnx.proto.OnnxSubset.NodeProto;
import io.streamnet.interop.onnx.proto.OnnxSubset.TensorProto.DataType;
import io.streamnet.interop.safetensors.SafeTensors;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * A convolutional ONNX graph as {@link CnnLayer}s, walked forward from the image input: a chain of
 * {@code Conv}, {@code BatchNormalization}, {@code Relu}, {@code MaxPool}, {@code AveragePool},
 * {@code GlobalAveragePool}, {@code Flatten} (or a {@code Reshape} to (batch, features), which is what
 * {@code x.view(x.size(0), -1)} exports), {@code Gemm} (or {@code MatMul}+{@code Add}) and a
 * final {@code Softmax}, where a value read by two nodes opens a residual block that must close in
 * an {@code Add} and a {@code Relu}: main branch conv, [batch norm], relu, conv, [batch norm];
 * shortcut nothing or a 1x1 conv, [batch norm] (torchvision's BasicBlock; PyTorch's exporter folds
 * eval-mode batch norms into the convolutions). Every attribute that would change the arithmetic
 * (dilation, groups, asymmetric or automatic padding, ceil mode) is refused by name.
 */
final class CnnGraph {
    record Translated(int[] input, List<CnnLayer> layers, boolean softmax) {
    }

    private final OnnxGraph g;

    private CnnGraph(OnnxGraph g) {
        this.g = g;
    }

    static Translated translate(OnnxGraph g) throws ImportException {
        return new CnnGraph(g).run();
    }

    private Translated run() throws ImportException {
        if (g.inputElemType() != DataType.FLOAT_VALUE || g.inputRank() != 4) {
            throw new ImportException("the input '" + g.input() + "' should be a FLOAT (batch, channels, height, width) "
                    + "image");
        }
        int[] dims = g.inputDims();
        int[] input = {dims[1], dims[2], dims[3]};
        if (input[0] <= 0 || input[1] <= 0 || input[2] <= 0) {
            throw new ImportException("the input's channels, height and width must be fixed, the file has "
                    + Arrays.toString(dims) + " (export with a fixed image size; only the batch may be dynamic)");
        }
        List<CnnLayer> layers = new ArrayList<>();
        boolean softmax = false;
        String v = g.input();
        // OnnxGraph refuses cycles; the visited set keeps this walk finite whatever it is given
        Set<String> seen = new HashSet<>();
        while (!v.equals(g.output())) {
            if (!seen.add(v)) {
                throw new ImportException("the path from the input comes back to '" + v + "': the graph has a cycle");
            }
            List<NodeProto> next = g.consumers(v);
            NodeProto reshape = viewOf(v, next);
            if (reshape != null && softmax) {
                throw new ImportException(describe(reshape) + " follows the Softmax: the Softmax must be the last node");
            }
            if (reshape != null) {
                flattening(reshape);
                layers.add(new CnnLayer.Flatten());
                v = reshape.getOutput(0);
                continue;
            }
            if (next.size() == 2) {
                v = residual(v, layers);
                continue;
            }
            if (next.size() != 1) {
                throw new ImportException("'" + v + "' is read by " + next.size() + " nodes: a CNN's path forks only into "
                        + "a residual block's two branches");
            }
            NodeProto n = next.get(0);
            if (softmax) {
                throw new ImportException(describe(n) + " follows the Softmax: the Softmax must be the last node");
            }
            switch (n.getOpType()) {
                case "Conv" -> layers.add(conv(n));
                case "BatchNormalization" -> layers.add(batchNorm(n));
                case "Relu" -> layers.add(new CnnLayer.Relu());
                case "MaxPool", "AveragePool" -> layers.add(pool(n));
                case "GlobalAveragePool" -> layers.add(new CnnLayer.GlobalAvgPool());
                case "Flatten" -> {
                    OnnxGraph.onlyAttributes(n, Set.of("axis"));
                    if (OnnxGraph.intAttr(n, "axis", 1) != 1) {
                        throw new ImportException(describe(n) + " flattens from axis " + OnnxGraph.intAttr(n, "axis", 1)
                                + ": only (batch, everything else) is read");
                    }
                    layers.add(new CnnLayer.Flatten());
                }
                case "Reshape" -> {
                    flattening(n);
                    layers.add(new CnnLayer.Flatten());
                }
                case "Gemm" -> layers.add(gemm(n));
                case "MatMul" -> {
                    CnnLayer.Linear l = matMul(n, v);
                    List<NodeProto> add = g.consumers(n.getOutput(0));
                    if (add.size() == 1 && add.get(0).getOpType().equals("Add")) {
                        NodeProto a = add.get(0);
                        String other = in(a, 0).equals(n.getOutput(0)) ? in(a, 1) : in(a, 0);
                        SafeTensors.Tensor b = g.constant(other, describe(a) + "'s bias").toTensor("a bias");
                        l = new CnnLayer.Linear(l.name(), l.weight(), b);
                        n = a;
                    }
                    layers.add(l);
                }
                case "Softmax" -> {
                    OnnxGraph.onlyAttributes(n, Set.of("axis"));
                    long axis = OnnxGraph.intAttr(n, "axis", g.opset() >= 13 ? -1 : 1);
                    if ((axis != -1 && axis != 1) || layers.isEmpty() || !(layers.get(layers.size() - 1)
                            instanceof CnnLayer.Linear)) {
                        throw new ImportException(describe(n) + ": only a softmax over the classifier's outputs is read");
                    }
                    softmax = true;
                }
                case "Identity" -> {
                }
                case "Pad" -> zeroPad(n);
                default -> throw new ImportException(describe(n) + ": " + n.getOpType() + " is not an operator the CNN "
                        + "importer reads (Conv, BatchNormalization, Relu, MaxPool, AveragePool, GlobalAveragePool, "
                        + "Flatten, Reshape to (batch, features), Gemm, MatMul, Add, Softmax)");
            }
            if (n.getOutputCount() > 1 && n.getOutputList().subList(1, n.getOutputCount()).stream()
                    .anyMatch(o -> !o.isEmpty() && !g.consumers(o).isEmpty())) {
                throw new ImportException(describe(n) + "'s second output is used: only the first is read");
            }
            v = n.getOutput(0);
        }
        return new Translated(input, layers, softmax);
    }

    /**
     * x.view(x.size(0), -1) with a dynamic batch: {@code v} goes to a Reshape and to a Shape (its target
     * must then be computed from that Shape and constants, see {@link #shapeValue}, else it is refused).
     */
    private NodeProto viewOf(String v, List<NodeProto> next) {
        if (next.size() != 2) {
            return null;
        }
        for (int i = 0; i < 2; i++) {
            NodeProto r = next.get(i);
            NodeProto other = next.get(1 - i);
            if (r.getOpType().equals("Reshape") && in(r, 0).equals(v) && other.getOpType().equals("Shape")) {
                return r;
            }
        }
        return null;
    }

    /** Element of a shape being computed: the batch (whatever it is at run time), or a dimension not read. */
    private static final long BATCH = Long.MIN_VALUE;
    private static final long OTHER = Long.MIN_VALUE + 1;
    private static final int MAX_RANK = 8;
    /** PyTorch's x.view(x.size(0), -1) computes its target in 5 steps. */
    private static final int MAX_SHAPE_STEPS = 64;
    private int shapeSteps;

    /**
     * A Reshape that is a flatten: its target is (batch, -1) or (batch, n), where batch is the
     * input's (from Shape), 0 (copy it), -1 with n given, 1 (one frame, as the job serves), or the
     * batch the graph was exported with. n itself is checked by the Linear that reads it (the
     * last layer must be a Linear; only Relu or another flatten, which keep the count, may come between).
     */
    private void flattening(NodeProto n) throws ImportException {
        OnnxGraph.onlyAttributes(n, Set.of("allowzero"));
        shapeSteps = 0;
        long[] t = shapeValue(in(n, 1), n, 0);
        String target = Arrays.toString(Arrays.stream(t).mapToObj(x -> x == BATCH ? "batch" : x == OTHER ? "?"
                : Long.toString(x)).toArray());
        int exported = g.inputDims()[0];
        boolean zeroCopies = OnnxGraph.intAttr(n, "allowzero", 0) == 0;
        boolean flatten = t.length == 2 && t[1] != OTHER && t[1] != 0 && t[1] >= -1
                && (t[0] == BATCH || (t[0] == 0 && zeroCopies) || t[0] == 1 || (exported > 0 && t[0] == exported)
                || (t[0] == -1 && t[1] > 0));
        if (!flatten) {
            throw new ImportException(describe(n) + " reshapes to " + target + ": only a flatten to (batch, features) "
                    + "is read (x.view(x.size(0), -1), or torch.flatten(x, 1), which exports as Flatten)");
        }
    }

    /** The integer tensor {@code value} as far as a flatten's target needs it: constants and the shape of the map. */
    private long[] shapeValue(String value, NodeProto reshape, int depth) throws ImportException {
        // a Concat may read one value many times: count every step, not only the depth
        if (++shapeSteps > MAX_SHAPE_STEPS) {
            throw new ImportException(describe(reshape) + "'s shape takes over " + MAX_SHAPE_STEPS + " steps to compute: "
                    + "a flatten's target is a constant or a few nodes from the map's Shape");
        }
        if (g.isConstant(value)) {
            long[] c = g.constant(value, describe(reshape) + "'s shape").ints();
            if (c == null || c.length > MAX_RANK || Arrays.stream(c).anyMatch(x -> x < -1)) {
                throw new ImportException(describe(reshape) + "'s shape '" + value + "' is not a target shape (up to "
                        + MAX_RANK + " integers, each -1 or more)");
            }
            return c;
        }
        NodeProto p = g.producer(value);
        if (p == null || depth > 8) {
            throw new ImportException(describe(reshape) + "'s shape '" + value + "' is not a constant or the map's shape");
        }
        switch (p.getOpType()) {
            case "Shape" -> {
                OnnxGraph.onlyAttributes(p, Set.of());
                if (!in(p, 0).equals(in(reshape, 0))) {
                    throw new ImportException(describe(p) + " reads another value than the map " + describe(reshape)
                            + " reshapes");
                }
                return new long[] {BATCH, OTHER, OTHER, OTHER};
            }
            case "Gather" -> {
                OnnxGraph.onlyAttributes(p, Set.of("axis"));
                long[] from = shapeValue(in(p, 0), reshape, depth + 1);
                long at = g.constant(in(p, 1), describe(p) + "'s index").scalar("an index");
                if (OnnxGraph.intAttr(p, "axis", 0) != 0 || at < -from.length || at >= from.length) {
                    throw new ImportException(describe(p) + " does not pick one element of a shape");
                }
                return new long[] {from[(int) (at < 0 ? at + from.length : at)]};
            }
            case "Unsqueeze" -> {
                long[] from = shapeValue(in(p, 0), reshape, depth + 1);
                long[] axes = g.opset() >= 13 ? g.constant(in(p, 1), describe(p) + "'s axes").ints()
                        : OnnxGraph.intsAttr(p, "axes");
                if (from.length != 1 || axes == null || axes.length != 1 || axes[0] != 0) {
                    throw new ImportException(describe(p) + " does not make one element a vector");
                }
                return from;
            }
            case "Concat" -> {
                OnnxGraph.onlyAttributes(p, Set.of("axis"));
                if (OnnxGraph.intAttr(p, "axis", 0) != 0) {
                    throw new ImportException(describe(p) + " joins a shape on axis " + OnnxGraph.intAttr(p, "axis", 0));
                }
                long[] all = new long[0];
                for (String part : p.getInputList()) {
                    long[] x = shapeValue(part, reshape, depth + 1);
                    long[] joined = Arrays.copyOf(all, all.length + x.length);
                    System.arraycopy(x, 0, joined, all.length, x.length);
                    all = joined;
                    if (all.length > MAX_RANK) {
                        throw new ImportException(describe(p) + " joins a shape of over " + MAX_RANK + " elements");
                    }
                }
                return all;
            }
            default -> throw new ImportException(describe(reshape) + "'s shape is computed by " + describe(p)
                    + ": Shape, Gather, Unsqueeze, Concat and constants are read there");
        }
    }

    /** PyTorch exports AvgPool2d with a Pad of zeros before it: a no-op, and anything else is refused. */
    private void zeroPad(NodeProto n) throws ImportException {
        OnnxGraph.onlyAttributes(n, Set.of("mode", "pads", "value"));
        long[] pads = g.opset() >= 11 ? g.constant(in(n, 1), describe(n) + "'s pads").ints()
                : OnnxGraph.intsAttr(n, "pads");
        if (pads == null || Arrays.stream(pads).anyMatch(p -> p != 0)) {
            throw new ImportException(describe(n) + " pads by " + (pads == null ? "?" : Arrays.toString(pads))
                    + ": only a zero (no-op) Pad is read; pad in the Conv instead");
        }
    }

    /** The block opened at {@code x}; returns the value after its closing Relu. */
    private String residual(String x, List<CnnLayer> layers) throws ImportException {
        List<NodeProto> a = branch(x, g.consumers(x).get(0));
        List<NodeProto> b = branch(x, g.consumers(x).get(1));
        NodeProto addA = a.get(a.size() - 1);
        NodeProto addB = b.get(b.size() - 1);
        if (addA != addB) {
            throw new ImportException("the two branches from '" + x + "' end in different nodes (" + describe(addA) + ", "
                    + describe(addB) + "): a residual block's branches meet in one Add");
        }
        List<NodeProto> main = a.size() >= b.size() ? a : b;
        List<NodeProto> shortcut = main == a ? b : a;
        main = main.subList(0, main.size() - 1);
        shortcut = shortcut.subList(0, shortcut.size() - 1);
        String where = "the residual block at '" + x + "'";
        int i = 0;
        CnnLayer.Conv conv1 = conv(expect(main, i++, "Conv", where));
        CnnLayer.BatchNorm bn1 = is(main, i, "BatchNormalization") ? batchNorm(main.get(i++)) : null;
        expect(main, i++, "Relu", where);
        CnnLayer.Conv conv2 = conv(expect(main, i++, "Conv", where));
        CnnLayer.BatchNorm bn2 = is(main, i, "BatchNormalization") ? batchNorm(main.get(i++)) : null;
        if (i != main.size()) {
            throw new ImportException(where + ": " + describe(main.get(i)) + " after conv2: the main branch is conv, "
                    + "[batch norm], relu, conv, [batch norm]");
        }
        CnnLayer.Conv proj = null;
        CnnLayer.BatchNorm projBn = null;
        if (!shortcut.isEmpty()) {
            proj = conv(expect(shortcut, 0, "Conv", where + "'s shortcut"));
            if (shortcut.size() > 1) {
                projBn = batchNorm(expect(shortcut, 1, "BatchNormalization", where + "'s shortcut"));
            }
            if (shortcut.size() > 2) {
                throw new ImportException(where + "'s shortcut is " + shortcut.size() + " nodes: a 1x1 conv and its "
                        + "batch norm at most");
            }
        }
        OnnxGraph.onlyAttributes(addA, Set.of());
        List<NodeProto> after = g.consumers(addA.getOutput(0));
        if (after.size() != 1 || !after.get(0).getOpType().equals("Relu")) {
            throw new ImportException(where + ": the sum (" + describe(addA) + ") must go to one Relu");
        }
        String name = conv1.name().replaceFirst("/?conv1/Conv$", "");
        layers.add(new CnnLayer.Residual(name.isEmpty() ? conv1.name() : name, conv1, bn1, conv2, bn2, proj, projBn));
        return after.get(0).getOutput(0);
    }

    /** From {@code first} (reading {@code x}) to the Add that closes the block, included. */
    private List<NodeProto> branch(String x, NodeProto first) throws ImportException {
        List<NodeProto> nodes = new ArrayList<>();
        NodeProto n = first;
        while (true) {
            nodes.add(n);
            if (n.getOpType().equals("Add")) {
                return nodes;
            }
            if (nodes.size() > 6) {
                throw new ImportException("the branch from '" + x + "' through " + describe(first)
                        + " does not reach an Add within a basic block's length");
            }
            List<NodeProto> next = g.consumers(n.getOutput(0));
            if (next.size() != 1) {
                throw new ImportException(describe(n) + " inside a residual block is read by " + next.size() + " nodes");
            }
            n = next.get(0);
        }
    }

    private static boolean is(List<NodeProto> nodes, int i, String op) {
        return i < nodes.size() && nodes.get(i).getOpType().equals(op);
    }

    private static NodeProto expect(List<NodeProto> nodes, int i, String op, String where) throws ImportException {
        if (!is(nodes, i, op)) {
            throw new ImportException(where + ": expected " + op + " at position " + i + ", found "
                    + (i < nodes.size() ? describe(nodes.get(i)) : "nothing") + " (a basic block is conv, [batch norm], "
                    + "relu, conv, [batch norm], add, relu)");
        }
        return nodes.get(i);
    }

    private CnnLayer.Conv conv(NodeProto n) throws ImportException {
        OnnxGraph.onlyAttributes(n, Set.of("kernel_shape", "strides", "pads", "dilations", "group", "auto_pad"));
        SafeTensors.Tensor w = g.constant(in(n, 1), describe(n) + "'s weight").toTensor("a weight");
        SafeTensors.Tensor b = in(n, 2).isEmpty() ? null : g.constant(in(n, 2), describe(n) + "'s bias").toTensor("a bias");
        if (w.shape().length != 4) {
            throw new ImportException(describe(n) + "'s weight is " + w.shapeString() + ": a 2-D convolution is read");
        }
        if (!OnnxGraph.stringAttr(n, "auto_pad", "NOTSET").equals("NOTSET") || OnnxGraph.intAttr(n, "group", 1) != 1) {
            throw new ImportException(describe(n) + " uses auto_pad or groups, which the importer does not read");
        }
        long[] dil = OnnxGraph.intsAttr(n, "dilations");
        if (dil != null && Arrays.stream(dil).anyMatch(d -> d != 1)) {
            throw new ImportException(describe(n) + " is dilated " + Arrays.toString(dil) + ": only dilation 1 is read");
        }
        long[] k = OnnxGraph.intsAttr(n, "kernel_shape");
        if (k != null && (k.length != 2 || k[0] != w.shape()[2] || k[1] != w.shape()[3])) {
            throw new ImportException(describe(n) + " kernel_shape " + Arrays.toString(k) + " disagrees with its weight");
        }
        return new CnnLayer.Conv(n.getName(), w, b, square(n, "strides", 1), symmetricPad(n));
    }

    private CnnLayer.BatchNorm batchNorm(NodeProto n) throws ImportException {
        OnnxGraph.onlyAttributes(n, Set.of("epsilon", "momentum", "training_mode", "spatial"));
        if (OnnxGraph.intAttr(n, "training_mode", 0) != 0 || OnnxGraph.intAttr(n, "spatial", 1) != 1) {
            throw new ImportException(describe(n) + " is in training mode or not spatial: eval-mode per-channel batch "
                    + "norm is read");
        }
        String[] what = {"scale", "bias", "mean", "var"};
        SafeTensors.Tensor[] t = new SafeTensors.Tensor[4];
        for (int i = 0; i < 4; i++) {
            t[i] = g.constant(in(n, i + 1), describe(n) + "'s " + what[i]).toTensor("a " + what[i]);
        }
        return new CnnLayer.BatchNorm(n.getName(), t[0], t[1], t[2], t[3], OnnxGraph.floatAttr(n, "epsilon", 1e-5f));
    }

    private CnnLayer pool(NodeProto n) throws ImportException {
        boolean max = n.getOpType().equals("MaxPool");
        OnnxGraph.onlyAttributes(n, max ? Set.of("kernel_shape", "strides", "pads", "dilations", "ceil_mode", "auto_pad",
                "storage_order") : Set.of("kernel_shape", "strides", "pads", "ceil_mode", "auto_pad", "count_include_pad"));
        if (OnnxGraph.intAttr(n, "ceil_mode", 0) != 0 || !OnnxGraph.stringAttr(n, "auto_pad", "NOTSET").equals("NOTSET")
                || symmetricPad(n) != 0) {
            throw new ImportException(describe(n) + " pads or rounds up (ceil_mode, auto_pad, pads): pooling without "
                    + "padding, rounding down, is read");
        }
        long[] dil = OnnxGraph.intsAttr(n, "dilations");
        if (dil != null && Arrays.stream(dil).anyMatch(d -> d != 1)) {
            throw new ImportException(describe(n) + " is dilated: only dilation 1 is read");
        }
        int window = square(n, "kernel_shape", -1);
        int stride = square(n, "strides", 1);
        return max ? new CnnLayer.MaxPool(window, stride) : new CnnLayer.AvgPool(window, stride);
    }

    private CnnLayer.Linear gemm(NodeProto n) throws ImportException {
        OnnxGraph.onlyAttributes(n, Set.of("alpha", "beta", "transA", "transB"));
        if (OnnxGraph.floatAttr(n, "alpha", 1f) != 1f || OnnxGraph.floatAttr(n, "beta", 1f) != 1f
                || OnnxGraph.intAttr(n, "transA", 0) != 0) {
            throw new ImportException(describe(n) + " scales or transposes its input: alpha = beta = 1, transA = 0 is read");
        }
        SafeTensors.Tensor w = g.constant(in(n, 1), describe(n) + "'s weight").toTensor("a weight");
        if (w.shape().length != 2) {
            throw new ImportException(describe(n) + "'s weight is " + w.shapeString());
        }
        if (OnnxGraph.intAttr(n, "transB", 0) != 1) {
            w = transposed(w);
        }
        SafeTensors.Tensor b = in(n, 2).isEmpty() ? null : g.constant(in(n, 2), describe(n) + "'s bias").toTensor("a bias");
        return new CnnLayer.Linear(n.getName(), w, b);
    }

    private CnnLayer.Linear matMul(NodeProto n, String from) throws ImportException {
        if (!in(n, 0).equals(from)) {
            throw new ImportException(describe(n) + " multiplies a constant by the features: x W is read");
        }
        SafeTensors.Tensor w = g.constant(in(n, 1), describe(n) + "'s weight").toTensor("a weight");
        if (w.shape().length != 2) {
            throw new ImportException(describe(n) + "'s weight is " + w.shapeString());
        }
        return new CnnLayer.Linear(n.getName(), transposed(w), null);
    }

    /** (in, out) to nn.Linear's (out, in). */
    private static SafeTensors.Tensor transposed(SafeTensors.Tensor w) {
        return new SafeTensors.Tensor(w.dtype(), new int[] {w.shape()[1], w.shape()[0]},
                Matrices.transpose(w.values(), w.shape()[0], w.shape()[1]));
    }

    private static int square(NodeProto n, String attr, int orElse) throws ImportException {
        long[] v = OnnxGraph.intsAttr(n, attr);
        if (v == null) {
            if (orElse < 0) {
                throw new ImportException(describe(n) + " has no " + attr);
            }
            return orElse;
        }
        if (v.length != 2 || v[0] != v[1] || v[0] <= 0) {
            throw new ImportException(describe(n) + " " + attr + " " + Arrays.toString(v) + ": equal in height and width "
                    + "is read");
        }
        return (int) v[0];
    }

    private static int symmetricPad(NodeProto n) throws ImportException {
        long[] p = OnnxGraph.intsAttr(n, "pads");
        if (p == null) {
            return 0;
        }
        if (p.length != 4 || Arrays.stream(p).anyMatch(x -> x != p[0]) || p[0] < 0) {
            throw new ImportException(describe(n) + " pads " + Arrays.toString(p) + ": the same padding on every side is "
                    + "read");
        }
        return (int) p[0];
    }
}
