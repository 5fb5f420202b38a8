package io.streamnet.interop.onnx;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import io.streamnet.interop.ImportException;
import io.streamnet.interop.onnx.proto.OnnxSubset.AttributeProto;
import io.streamnet.interop.onnx.proto.OnnxSubset.GraphProto;
import io.streamnet.interop.onnx.proto.OnnxSubset.ModelProto;
import io.streamnet.interop.onnx.proto.OnnxSubset.NodeProto;
import io.streamnet.interop.onnx.proto.OnnxSubset.OperatorSetIdProto;
import io.streamnet.interop.onnx.proto.OnnxSubset.TensorProto;
import io.streamnet.interop.onnx.proto.OnnxSubset.ValueInfoProto;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * An ONNX model's main graph, indexed for the importers: which node produces each value, which
 * nodes consume it, and every constant (initializers, {@code Constant} nodes and {@code Identity}
 * copies of either, which PyTorch's exporter uses to share a bias). The file's size is checked
 * before it is read and every tensor's element count before its array is allocated.
 */
public final class OnnxGraph {
    /** How much a file may hold. */
    public record Limits(long maxFileBytes, long maxElements) {
        /** Protobuf's own 2 GB message limit; 256M elements (1 GiB as float32) per tensor. */
        public static final Limits DEFAULTS = new Limits(Integer.MAX_VALUE, 256L << 20);
    }

    private final GraphProto graph;
    private final int opset;
    private final Map<String, NodeProto> producers = new HashMap<>();
    private final Map<String, List<NodeProto>> consumers = new HashMap<>();
    private final Map<String, OnnxTensor> constants = new HashMap<>();
    private final String input;
    private final ValueInfoProto inputInfo;

    private OnnxGraph(ModelProto model, Limits limits) throws ImportException {
        if (!model.hasGraph()) {
            throw new ImportException("the file holds no graph: not an ONNX model");
        }
        this.graph = model.getGraph();
        int op = -1;
        for (OperatorSetIdProto set : model.getOpsetImportList()) {
            if (set.getDomain().isEmpty() || set.getDomain().equals("ai.onnx")) {
                op = (int) set.getVersion();
            }
        }
        if (op < 7) {
            throw new ImportException("the model imports ONNX opset " + (op < 0 ? "none" : op)
                    + ": opset 7 or later is read");
        }
        this.opset = op;
        for (TensorProto t : graph.getInitializerList()) {
            constants.put(t.getName(), OnnxTensor.of(t, limits.maxElements()));
        }
        for (NodeProto n : graph.getNodeList()) {
            if (!n.getDomain().isEmpty() && !n.getDomain().equals("ai.onnx")) {
                throw new ImportException(describe(n) + " is of domain '" + n.getDomain()
                        + "': only standard ONNX operators import");
            }
            for (String out : n.getOutputList()) {
                producers.put(out, n);
            }
            for (String in : n.getInputList()) {
                if (!in.isEmpty()) {
                    consumers.computeIfAbsent(in, k -> new ArrayList<>()).add(n);
                }
            }
            if (n.getOpType().equals("Constant")) {
                constants.put(n.getOutput(0), constantValue(n, limits));
            }
        }
        // Identity of a constant is that constant (nodes are in topological order)
        for (NodeProto n : graph.getNodeList()) {
            if (n.getOpType().equals("Identity") && constants.containsKey(n.getInput(0))) {
                constants.put(n.getOutput(0), constants.get(n.getInput(0)));
            }
        }
        List<ValueInfoProto> real = new ArrayList<>();
        for (ValueInfoProto v : graph.getInputList()) {
            if (!constants.containsKey(v.getName())) {
                real.add(v);
            }
        }
        if (real.size() != 1) {
            throw new ImportException("the graph has " + real.size() + " inputs besides its weights "
                    + real.stream().map(ValueInfoProto::getName).toList() + ": one (tokens, features or an image) is read");
        }
        if (graph.getOutputCount() != 1) {
            throw new ImportException("the graph has " + graph.getOutputCount() + " outputs: one is read");
        }
        this.inputInfo = real.get(0);
        this.input = inputInfo.getName();
    }

    public static OnnxGraph read(Path file, Limits limits) throws IOException, ImportException {
        long size = Files.size(file);
        if (size > limits.maxFileBytes()) {
            throw new ImportException(file + " is " + size + " bytes, over the limit of " + limits.maxFileBytes());
        }
        return parse(Files.readAllBytes(file), limits);
    }

    public static OnnxGraph parse(byte[] bytes, Limits limits) throws ImportException {
        try {
            CodedInputStream in = CodedInputStream.newInstance(bytes);
            in.setSizeLimit(bytes.length);
            return new OnnxGraph(ModelProto.parseFrom(in), limits);
        } catch (InvalidProtocolBufferException e) {
            throw new ImportException("not an ONNX model (protobuf: " + e.getMessage() + ")", e);
        } catch (IOException e) {
            throw new ImportException("not an ONNX model: " + e.getMessage(), e);
        }
    }

    public int opset() {
        return opset;
    }

    public String input() {
        return input;
    }

    /** The input's element type (TensorProto.DataType number) and rank; rank -1 where the file gives no shape. */
    int inputElemType() {
        return inputInfo.getType().getTensorType().getElemType();
    }

    int inputRank() {
        var t = inputInfo.getType().getTensorType();
        return t.hasShape() ? t.getShape().getDimCount() : -1;
    }

    /** The input's fixed dimensions (0 where symbolic). */
    int[] inputDims() {
        var dims = inputInfo.getType().getTensorType().getShape().getDimList();
        int[] d = new int[dims.size()];
        for (int i = 0; i < d.length; i++) {
            d[i] = dims.get(i).hasDimValue() ? (int) Math.min(Integer.MAX_VALUE, dims.get(i).getDimValue()) : 0;
        }
        return d;
    }

    public String output() {
        return graph.getOutput(0).getName();
    }

    List<NodeProto> nodes() {
        return graph.getNodeList();
    }

    /** The node that computes {@code value}; null for the graph's input and constants. */
    NodeProto producer(String value) {
        return constants.containsKey(value) ? null : producers.get(value);
    }

    List<NodeProto> consumers(String value) {
        return consumers.getOrDefault(value, List.of());
    }

    boolean isConstant(String value) {
        return constants.containsKey(value);
    }

    /** The constant {@code value}; refused naming {@code what} if it is computed. */
    OnnxTensor constant(String value, String what) throws ImportException {
        OnnxTensor t = constants.get(value);
        if (t == null) {
            throw new ImportException(what + " ('" + value + "') is computed by the graph, not a constant");
        }
        return t;
    }

    /** Input {@code i} of {@code n}, "" where absent. */
    static String in(NodeProto n, int i) {
        return i < n.getInputCount() ? n.getInput(i) : "";
    }

    static String describe(NodeProto n) {
        return n.getOpType() + " node '" + (n.getName().isEmpty() ? n.getOutput(0) : n.getName()) + "'";
    }

    /** Refuses attributes outside {@code known}: an attribute the importer ignores could change the result. */
    static void onlyAttributes(NodeProto n, Set<String> known) throws ImportException {
        for (AttributeProto a : n.getAttributeList()) {
            if (!known.contains(a.getName())) {
                throw new ImportException(describe(n) + " has attribute '" + a.getName() + "', which the importer does "
                        + "not support (it reads " + known + ")");
            }
        }
    }

    static AttributeProto attribute(NodeProto n, String name) {
        for (AttributeProto a : n.getAttributeList()) {
            if (a.getName().equals(name)) {
                return a;
            }
        }
        return null;
    }

    static long intAttr(NodeProto n, String name, long orElse) {
        AttributeProto a = attribute(n, name);
        return a == null ? orElse : a.getI();
    }

    static float floatAttr(NodeProto n, String name, float orElse) {
        AttributeProto a = attribute(n, name);
        return a == null ? orElse : a.getF();
    }

    static long[] intsAttr(NodeProto n, String name) {
        AttributeProto a = attribute(n, name);
        return a == null ? null : a.getIntsList().stream().mapToLong(Long::longValue).toArray();
    }

    static String stringAttr(NodeProto n, String name, String orElse) {
        AttributeProto a = attribute(n, name);
        return a == null ? orElse : a.getS().toStringUtf8();
    }

    static List<String> stringsAttr(NodeProto n, String name) {
        AttributeProto a = attribute(n, name);
        return a == null ? null : a.getStringsList().stream().map(s -> s.toStringUtf8()).toList();
    }

    private static OnnxTensor constantValue(NodeProto n, Limits limits) throws ImportException {
        if (n.getAttributeCount() != 1) {
            throw new ImportException(describe(n) + " should have one value attribute");
        }
        AttributeProto a = n.getAttribute(0);
        String out = n.getOutput(0);
        return switch (a.getName()) {
            case "value" -> {
                OnnxTensor t = OnnxTensor.of(a.getT(), limits.maxElements());
                yield new OnnxTensor(out, t.dims(), t.floats(), t.ints());
            }
            case "value_float" -> new OnnxTensor(out, new int[0], new float[] {a.getF()}, null);
            case "value_floats" -> new OnnxTensor(out, new int[] {a.getFloatsCount()},
                    toFloats(a.getFloatsList()), null);
            case "value_int" -> new OnnxTensor(out, new int[0], null, new long[] {a.getI()});
            case "value_ints" -> new OnnxTensor(out, new int[] {a.getIntsCount()}, null,
                    a.getIntsList().stream().mapToLong(Long::longValue).toArray());
            default -> throw new ImportException(describe(n) + " has a '" + a.getName() + "' value, which is not read");
        };
    }

    private static float[] toFloats(List<Float> l) {
        float[] f = new float[l.size()];
        for (int i = 0; i < f.length; i++) {
            f[i] = l.get(i);
        }
        return f;
    }
}
