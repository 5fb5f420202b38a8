package io.streamnet.interop;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import io.streamnet.interop.onnx.proto.OnnxSubset.AttributeProto;
import io.streamnet.interop.onnx.proto.OnnxSubset.GraphProto;
import io.streamnet.interop.onnx.proto.OnnxSubset.ModelProto;
import io.streamnet.interop.onnx.proto.OnnxSubset.NodeProto;
import io.streamnet.interop.onnx.proto.OnnxSubset.TensorProto;
import io.streamnet.interop.onnx.proto.OnnxSubset.TensorShapeProto;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Mutations of an ONNX graph's structure, which byte flips rarely reach past the protobuf parser:
 * rewired inputs and outputs (cycles, forks, values produced twice), nodes duplicated, dropped or
 * moved, operator types swapped, and dimensions, attributes and tensor data set to edge values.
 */
final class GraphMutations {
    static final long[] EDGES = {0, 1, -1, 2, 3, 4, 8, 255, 1 << 16, 1 << 24, Integer.MAX_VALUE, Integer.MIN_VALUE,
            1L << 32, 1L << 40, Long.MAX_VALUE, Long.MIN_VALUE};
    private static final String[] OPS = {"Relu", "Identity", "Conv", "Gemm", "MatMul", "Add", "Softmax", "Flatten",
            "Reshape", "Shape", "Gather", "Unsqueeze", "Concat", "LSTM", "GRU", "RNN", "Transpose", "Squeeze", "Slice",
            "ConstantOfShape", "MaxPool", "AveragePool", "GlobalAveragePool", "BatchNormalization", "Pad", "Constant"};

    private GraphMutations() {
    }

    static long edge(Random rnd) {
        return EDGES[rnd.nextInt(EDGES.length)];
    }

    static byte[] mutate(Random rnd, byte[] bytes, List<String> how) {
        ModelProto m;
        try {
            m = ModelProto.parseFrom(bytes);
        } catch (InvalidProtocolBufferException e) {
            how.add("graph mutation of an unparsable file (kept)");
            return bytes;
        }
        ModelProto.Builder b = m.toBuilder();
        GraphProto.Builder g = b.getGraphBuilder();
        List<String> values = new ArrayList<>();
        g.getInputList().forEach(v -> values.add(v.getName()));
        g.getInitializerList().forEach(t -> values.add(t.getName()));
        g.getNodeList().forEach(n -> values.addAll(n.getOutputList()));
        values.add("");
        int nodes = g.getNodeCount();
        if (nodes == 0) {
            how.add("graph mutation of an empty graph (kept)");
            return bytes;
        }
        int at = rnd.nextInt(nodes);
        NodeProto n = g.getNode(at);
        String value = values.get(rnd.nextInt(values.size()));
        switch (rnd.nextInt(12)) {
            case 0 -> {
                if (n.getInputCount() == 0) {
                    g.setNode(at, n.toBuilder().addInput(value));
                } else {
                    int i = rnd.nextInt(n.getInputCount());
                    g.setNode(at, n.toBuilder().setInput(i, value));
                }
                how.add("node " + at + " reads '" + value + "'");
            }
            case 1 -> {
                if (n.getOutputCount() == 0) {
                    g.setNode(at, n.toBuilder().addOutput(value));
                } else {
                    g.setNode(at, n.toBuilder().setOutput(rnd.nextInt(n.getOutputCount()), value));
                }
                how.add("node " + at + " writes '" + value + "'");
            }
            case 2 -> {
                // a node reading its own output: the smallest cycle
                NodeProto.Builder nb = n.toBuilder();
                if (n.getInputCount() > 0 && n.getOutputCount() > 0) {
                    nb.setInput(0, n.getOutput(0));
                }
                g.setNode(at, nb);
                how.add("node " + at + " reads its own output");
            }
            case 3 -> {
                g.addNode(rnd.nextInt(nodes + 1), n);
                how.add("node " + at + " duplicated");
            }
            case 4 -> {
                g.removeNode(at);
                how.add("node " + at + " removed");
            }
            case 5 -> {
                g.removeNode(at);
                int to = rnd.nextInt(nodes);
                g.addNode(to, n);
                how.add("node " + at + " moved to " + to);
            }
            case 6 -> {
                String op = OPS[rnd.nextInt(OPS.length)];
                g.setNode(at, n.toBuilder().setOpType(op));
                how.add("node " + at + " made " + op);
            }
            case 7 -> {
                if (n.getAttributeCount() == 0) {
                    how.add("node " + at + " has no attribute (kept)");
                    break;
                }
                int i = rnd.nextInt(n.getAttributeCount());
                AttributeProto.Builder a = n.getAttribute(i).toBuilder();
                long e = edge(rnd);
                if (a.getIntsCount() > 0 && rnd.nextBoolean()) {
                    if (rnd.nextBoolean()) {
                        a.setInts(rnd.nextInt(a.getIntsCount()), e);
                    } else {
                        a.addInts(e);
                    }
                } else if (a.hasT()) {
                    a.setT(tensor(rnd, a.getT(), how));
                } else {
                    a.setI(e).setF((float) e);
                }
                g.setNode(at, n.toBuilder().setAttribute(i, a));
                how.add("node " + at + " attribute " + a.getName() + " edged with " + e);
            }
            case 8 -> {
                if (g.getInitializerCount() == 0) {
                    how.add("no initializer (kept)");
                    break;
                }
                int i = rnd.nextInt(g.getInitializerCount());
                g.setInitializer(i, tensor(rnd, g.getInitializer(i), how));
            }
            case 9 -> {
                if (g.getInputCount() == 0) {
                    how.add("no graph input (kept)");
                    break;
                }
                int i = rnd.nextInt(g.getInputCount());
                var in = g.getInputBuilder(i);
                TensorShapeProto.Builder shape = in.getTypeBuilder().getTensorTypeBuilder().getShapeBuilder();
                long e = edge(rnd);
                if (shape.getDimCount() > 0 && rnd.nextBoolean()) {
                    shape.getDimBuilder(rnd.nextInt(shape.getDimCount())).setDimValue(e);
                } else if (rnd.nextBoolean()) {
                    shape.addDim(TensorShapeProto.Dimension.newBuilder().setDimValue(e));
                } else {
                    in.getTypeBuilder().getTensorTypeBuilder().setElemType((int) (e & 0xff));
                }
                how.add("graph input " + i + " edged with " + e);
            }
            case 10 -> {
                if (g.getOutputCount() > 0) {
                    g.getOutputBuilder(0).setName(value);
                }
                how.add("graph output is '" + value + "'");
            }
            default -> {
                // an Identity or Relu cycle spliced into the data path
                String op = rnd.nextBoolean() ? "Identity" : "Relu";
                String v = n.getOutputCount() > 0 ? n.getOutput(0) : value;
                g.addNode(NodeProto.newBuilder().setOpType(op).addInput(v).addOutput(v));
                how.add(op + " loop on '" + v + "'");
            }
        }
        return b.build().toByteArray();
    }

    private static TensorProto tensor(Random rnd, TensorProto t, List<String> how) {
        TensorProto.Builder b = t.toBuilder();
        long e = edge(rnd);
        switch (rnd.nextInt(5)) {
            case 0 -> {
                if (b.getDimsCount() > 0) {
                    b.setDims(rnd.nextInt(b.getDimsCount()), e);
                } else {
                    b.addDims(e);
                }
                how.add("tensor '" + t.getName() + "' dim edged with " + e);
            }
            case 1 -> {
                b.clearDims();
                for (int i = rnd.nextInt(4); i > 0; i--) {
                    b.addDims(e);
                }
                how.add("tensor '" + t.getName() + "' dims all " + e);
            }
            case 2 -> {
                b.clearRawData().clearFloatData().clearInt64Data().clearInt32Data().clearDoubleData();
                how.add("tensor '" + t.getName() + "' emptied");
            }
            case 3 -> {
                b.setDataType((int) (e & 0x1f));
                how.add("tensor '" + t.getName() + "' type " + (e & 0x1f));
            }
            default -> {
                byte[] raw = new byte[rnd.nextInt(64)];
                rnd.nextBytes(raw);
                b.setRawData(ByteString.copyFrom(raw));
                how.add("tensor '" + t.getName() + "' raw data " + raw.length + " random bytes");
            }
        }
        return b.build();
    }
}
