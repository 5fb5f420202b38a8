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
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * An ONNX model's main graph, indexed for the importers: which node produces each value, which
 * nodes consume it, and every constant (initializers, {@code Constant} nodes and {@code Identity}
 * copies of either, which PyTorch's exporter uses to share a bias). The file's size is checked
 * before it is read, every tensor's element count (and their sum) before its array is allocated
 * and the node count before the graph is walked; a value read before it is computed or computed
 * twice is refused, so the graph has no cycle and every walk over it ends.
 */
public final class OnnxGraph {
    /** How much a file may hold: bytes, elements per tensor and in all, and nodes. */
    public record Limits(long maxFileBytes, long maxElements, long maxTotalElements, int maxNodes) {
        /**
         * Protobuf's own 2 GB message limit; 256M elements (1 GiB as float32) per tensor and in all
         * constants together; 100,000 nodes (a ResNet-50 export has a few hundred).
         */
        public static final Limits DEFAULTS = new Limits(Integer.MAX_VALUE, 256L << 20);

        /** The default total and node limits, with the given per-tensor limit. */
        public Limits(long maxFileBytes, long maxElements) {
            this(maxFileBytes, maxElements, 256L << 20, 100_000);
        }
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
        if (graph.getNodeCount() > limits.maxNodes()) {
            throw new ImportException("the graph has " + graph.getNodeCount() + " nodes, over the limit of "
                    + limits.maxNodes());
        }
        long[] decoded = {0};
        Set<String> defined = new HashSet<>();
        for (ValueInfoProto v : graph.getInputList()) {
            defined.add(v.getName());
        }
        for (TensorProto t : graph.getInitializerList()) {
            constants.put(t.getName(), decode(t, limits, decoded));
            defined.add(t.getName());
        }
        for (NodeProto n : graph.getNodeList()) {
            if (!n.getDomain().isEmpty() && !n.getDomain().equals("ai.onnx")) {
                throw new ImportException(describe(n) + " is of domain '" + n.getDomain()
                        + "': only standard ONNX operators import");
            }
            // Every value defined before it is read and defined once (ONNX requires both): then the
            // graph has no cycle, and every walk over it ends.
            for (String in : n.getInputList()) {
                if (!in.isEmpty() && !defined.contains(in)) {
                    throw new ImportException(describe(n) + " reads '" + in + "' before it is computed: "
                            + (graph.getNodeList().stream().anyMatch(p -> p.getOutputList().contains(in))
                            ? "the graph has a cycle, or its nodes are not in topological order"
                            : "no node, input or initializer defines it"));
                }
            }
            if (n.getOutputCount() == 0) {
                throw new ImportException(describe(n) + " has no output");
            }
            for (String out : n.getOutputList()) {
                if (!out.isEmpty() && !defined.add(out)) {
                    throw new ImportException(describe(n) + " computes '" + out + "', which is already defined: "
                            + "each value of a graph is computed once");
                }
                producers.put(out, n);
            }
            for (String in : n.getInputList()) {
                if (!in.isEmpty()) {
                    consumers.computeIfAbsent(in, k -> new ArrayList<>()).add(n);
                }
            }
            if (n.getOpType().equals("Constant")) {
                if (n.getOutput(0).isEmpty()) {
                    throw new ImportException(describe(n) + " has no output name");
                }
                constants.put(n.getOutput(0), constantValue(n, limits, decoded));
            }
        }
        // Identity of a constant is that constant (nodes are in topological order, checked above)
        for (NodeProto n : graph.getNodeList()) {
            if (n.getOpType().equals("Identity") && constants.containsKey(in(n, 0))) {
                constants.put(n.getOutput(0), constants.get(in(n, 0)));
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
        String output = n.getOutputCount() > 0 ? n.getOutput(0) : "";
        return n.getOpType() + " node '" + (n.getName().isEmpty() ? output : n.getName()) + "'";
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

    /**
     * {@code t} as an array, its declared element count checked (per tensor and, through
     * {@code decoded}, for all constants together) before the array is allocated.
     */
    private static OnnxTensor decode(TensorProto t, Limits limits, long[] decoded) throws ImportException {
        count(OnnxTensor.elements(t, limits.maxElements()), limits, decoded);
        return OnnxTensor.of(t, limits.maxElements());
    }

    private static void count(long elements, Limits limits, long[] decoded) throws ImportException {
        decoded[0] += elements;
        if (decoded[0] > limits.maxTotalElements()) {
            throw new ImportException("the graph's constants hold over " + limits.maxTotalElements()
                    + " elements (the limit)");
        }
    }

    private static OnnxTensor constantValue(NodeProto n, Limits limits, long[] decoded) throws ImportException {
        if (n.getAttributeCount() != 1) {
            throw new ImportException(describe(n) + " should have one value attribute");
        }
        AttributeProto a = n.getAttribute(0);
        String out = n.getOutput(0);
        count(Math.max(a.getFloatsCount(), a.getIntsCount()), limits, decoded);
        return switch (a.getName()) {
            case "value" -> {
                OnnxTensor t = decode(a.getT(), limits, decoded);
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
