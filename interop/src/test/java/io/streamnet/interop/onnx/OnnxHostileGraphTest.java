package io.streamnet.interop.onnx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.streamnet.engine.cpu.CpuBackend;
import io.streamnet.interop.Fixtures;
import io.streamnet.interop.ImportException;
import io.streamnet.interop.onnx.proto.OnnxSubset.AttributeProto;
import io.streamnet.interop.onnx.proto.OnnxSubset.GraphProto;
import io.streamnet.interop.onnx.proto.OnnxSubset.ModelProto;
import io.streamnet.interop.onnx.proto.OnnxSubset.NodeProto;
import io.streamnet.interop.onnx.proto.OnnxSubset.OperatorSetIdProto;
import io.streamnet.interop.onnx.proto.OnnxSubset.TensorProto;
import io.streamnet.interop.onnx.proto.OnnxSubset.TensorShapeProto;
import io.streamnet.interop.onnx.proto.OnnxSubset.TypeProto;
import io.streamnet.interop.onnx.proto.OnnxSubset.ValueInfoProto;
import io.streamnet.rnn.model.Task;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * Graphs made to hang, exhaust or crash the importer: each is refused with an {@link ImportException}
 * (or, where it is a valid model, imported) quickly and without allocating what it declares.
 */
class OnnxHostileGraphTest {
    private static final Duration SECOND = Duration.ofSeconds(1);

    @Test
    void aReluCycleIsRefusedInUnderASecond() {
        byte[] file = cyclic("Relu").toByteArray();
        assertThat(file.length).isLessThan(100);
        assertTimeoutPreemptively(SECOND, () -> assertThatThrownBy(() -> cnn(file))
                .isInstanceOf(ImportException.class).hasMessageContaining("Relu node").hasMessageContaining("'x'"));
    }

    @Test
    void anIdentityCycleIsRefusedInUnderASecond() {
        byte[] file = cyclic("Identity").toByteArray();
        assertTimeoutPreemptively(SECOND, () -> assertThatThrownBy(() -> cnn(file))
                .isInstanceOf(ImportException.class).hasMessageContaining("Identity node"));
    }

    @Test
    void aNodeThatReadsItsOwnOutputOnARecurrentPathIsRefusedInUnderASecond() throws Exception {
        // the output's producer made to read the output: the walk back from it would never reach the input
        ModelProto.Builder b = fixture("rnn_features_seqfirst").toBuilder();
        GraphProto.Builder g = b.getGraphBuilder();
        String out = g.getOutput(0).getName();
        for (int i = 0; i < g.getNodeCount(); i++) {
            if (g.getNode(i).getOutputList().contains(out)) {
                g.setNode(i, g.getNode(i).toBuilder().setInput(0, out));
            }
        }
        byte[] file = b.build().toByteArray();
        assertTimeoutPreemptively(SECOND, () -> assertThatThrownBy(() -> recurrent(file))
                .isInstanceOf(ImportException.class).hasMessageContaining("before it is computed")
                .hasMessageContaining("cycle"));
    }

    @Test
    void aValueComputedTwiceIsRefused() throws Exception {
        ModelProto.Builder b = fixture("resnet_tiny").toBuilder();
        GraphProto.Builder g = b.getGraphBuilder();
        g.addNode(g.getNode(0));
        assertThatThrownBy(() -> cnn(b.build().toByteArray())).isInstanceOf(ImportException.class)
                .hasMessageContaining("already defined");
    }

    @Test
    void aTensorDeclaringMoreElementsThanItsDataIsRefusedBeforeItsArrayIsAllocated() throws Exception {
        // 256M elements (at the per-tensor limit) declared by a tensor holding a few hundred
        ModelProto.Builder b = fixture("lenet5_softmax").toBuilder();
        TensorProto w = b.getGraph().getInitializer(0);
        b.getGraphBuilder().setInitializer(0, w.toBuilder().clearDims().addDims(16_384).addDims(16_384));
        byte[] file = b.build().toByteArray();
        var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long before = threads.getCurrentThreadAllocatedBytes();
        assertThatThrownBy(() -> OnnxGraph.parse(file, OnnxGraph.Limits.DEFAULTS)).isInstanceOf(ImportException.class)
                .hasMessageContaining(w.getName()).hasMessageContaining("bytes of raw_data");
        assertThat(threads.getCurrentThreadAllocatedBytes() - before).as("bytes allocated").isLessThan(32L << 20);
    }

    @Test
    void constantsOverTheTotalElementLimitAreRefused() throws Exception {
        byte[] file = Files.readAllBytes(path("lenet5_softmax"));
        assertThatThrownBy(() -> OnnxGraph.parse(file, new OnnxGraph.Limits(Integer.MAX_VALUE, 1L << 20, 10_000, 1000)))
                .isInstanceOf(ImportException.class).hasMessageContaining("constants hold over 10000 elements");
    }

    @Test
    void aGraphOverTheNodeLimitIsRefused() throws Exception {
        byte[] file = Files.readAllBytes(path("resnet_tiny"));
        assertThatThrownBy(() -> OnnxGraph.parse(file, new OnnxGraph.Limits(Integer.MAX_VALUE, 1L << 20, 1L << 20, 5)))
                .isInstanceOf(ImportException.class).hasMessageContaining("over the limit of 5");
    }

    @Test
    void aLongChainOfIdentitiesBeforeAZeroInitialStateImportsWithoutExhaustingTheStack() throws Exception {
        // 90,000 Identity nodes between the zero state and the LSTM: walked by a loop, not by recursion
        ModelProto.Builder b = fixture("lstm_tokens").toBuilder();
        GraphProto.Builder g = b.getGraphBuilder();
        int cell = indexOf(g, "LSTM");
        NodeProto lstm = g.getNode(cell);
        String v = lstm.getInput(5);
        GraphProto.Builder chained = g.clone().clearNode();
        for (int i = 0; i < cell; i++) {
            chained.addNode(g.getNode(i));
        }
        for (int i = 0; i < 90_000; i++) {
            String next = "h0_" + i;
            chained.addNode(NodeProto.newBuilder().setOpType("Identity").addInput(v).addOutput(next));
            v = next;
        }
        chained.addNode(lstm.toBuilder().setInput(5, v));
        for (int i = cell + 1; i < g.getNodeCount(); i++) {
            chained.addNode(g.getNode(i));
        }
        b.setGraph(chained);
        assertThat(recurrent(b.build().toByteArray()).recurrent().model().config().layers()).isPositive();
    }

    @Test
    void aFlattenTargetThatReadsOneValueManyTimesIsRefusedInUnderASecond() throws Exception {
        // Concats of Concats, 40 inputs each, 6 deep: 40^6 evaluations for a walk that only bounds the depth
        ModelProto.Builder b = fixture("cnn_view").toBuilder();
        GraphProto.Builder g = b.getGraphBuilder();
        int concat = indexOf(g, "Concat");
        NodeProto target = g.getNode(concat);
        GraphProto.Builder nested = g.clone().clearNode();
        for (int i = 0; i < concat; i++) {
            nested.addNode(g.getNode(i));
        }
        nested.addNode(NodeProto.newBuilder().setOpType("Concat").addOutput("e0").addAttribute(
                AttributeProto.newBuilder().setName("axis").setType(AttributeProto.AttributeType.INT).setI(0)));
        for (int level = 1; level <= 6; level++) {
            NodeProto.Builder n = NodeProto.newBuilder().setOpType("Concat").addOutput("e" + level)
                    .addAttribute(AttributeProto.newBuilder().setName("axis").setType(AttributeProto.AttributeType.INT)
                            .setI(0));
            for (int i = 0; i < 40; i++) {
                n.addInput("e" + (level - 1));
            }
            nested.addNode(n);
        }
        nested.addNode(target.toBuilder().addInput("e6"));
        for (int i = concat + 1; i < g.getNodeCount(); i++) {
            nested.addNode(g.getNode(i));
        }
        b.setGraph(nested);
        byte[] file = b.build().toByteArray();
        assertTimeoutPreemptively(SECOND, () -> assertThatThrownBy(() -> cnn(file))
                .isInstanceOf(ImportException.class).hasMessageContaining("steps to compute"));
    }

    @Test
    void aTransposeWhosePermIsNotAPermutationIsRefusedNamingIt() throws Exception {
        ModelProto.Builder b = fixture("lstm_tokens").toBuilder();
        GraphProto.Builder g = b.getGraphBuilder();
        int t = indexOf(g, "Transpose");
        NodeProto n = g.getNode(t);
        g.setNode(t, n.toBuilder().clearAttribute().addAttribute(AttributeProto.newBuilder().setName("perm")
                .setType(AttributeProto.AttributeType.INTS).addInts(0).addInts(7).addInts(1)));
        assertThatThrownBy(() -> recurrent(b.build().toByteArray())).isInstanceOf(ImportException.class)
                .hasMessageContaining("Transpose node").hasMessageContaining("not a permutation");
    }

    @Test
    void anEmptyConstantOfShapeValueIsNotTakenForAZeroState() throws Exception {
        ModelProto.Builder b = fixture("lstm_tokens").toBuilder();
        GraphProto.Builder g = b.getGraphBuilder();
        int c = indexOf(g, "ConstantOfShape");
        g.setNode(c, g.getNode(c).toBuilder().clearAttribute().addAttribute(AttributeProto.newBuilder().setName("value")
                .setType(AttributeProto.AttributeType.TENSOR).setT(TensorProto.newBuilder().addDims(0)
                        .setDataType(TensorProto.DataType.FLOAT_VALUE))));
        assertThatThrownBy(() -> recurrent(b.build().toByteArray())).isInstanceOf(ImportException.class)
                .hasMessageContaining("initial h is not zero");
    }

    @Test
    void aConcatOfFinalStatesNamingAnOutputNoCellHasIsRefused() throws Exception {
        // gru_features_hn joins both layers' h_n; layer 0 made to have no h_n output
        ModelProto.Builder b = fixture("gru_features_hn").toBuilder();
        GraphProto.Builder g = b.getGraphBuilder();
        int cell = indexOf(g, "GRU");
        NodeProto gru = g.getNode(cell);
        g.setNode(cell, gru.toBuilder().clearOutput().addOutput(gru.getOutput(0)));
        assertThatThrownBy(() -> recurrent(b.build().toByteArray())).isInstanceOf(ImportException.class)
                .hasMessageContaining(gru.getOutput(1));
    }

    /**
     * The smallest hostile file: x -> op -> a -> op -> x, an image input whose path loops back to
     * itself and never reaches the output.
     */
    static ModelProto cyclic(String op) {
        ValueInfoProto image = ValueInfoProto.newBuilder().setName("x").setType(TypeProto.newBuilder().setTensorType(
                TypeProto.Tensor.newBuilder().setElemType(TensorProto.DataType.FLOAT_VALUE).setShape(
                        TensorShapeProto.newBuilder().addDim(dim(1)).addDim(dim(1)).addDim(dim(2)).addDim(dim(2))))).build();
        return ModelProto.newBuilder().setIrVersion(8).addOpsetImport(OperatorSetIdProto.newBuilder().setVersion(13))
                .setGraph(GraphProto.newBuilder()
                        .addNode(NodeProto.newBuilder().setOpType(op).addInput("x").addOutput("a"))
                        .addNode(NodeProto.newBuilder().setOpType(op).addInput("a").addOutput("x"))
                        .addInput(image).addOutput(ValueInfoProto.newBuilder().setName("y"))).build();
    }

    private static TensorShapeProto.Dimension dim(long v) {
        return TensorShapeProto.Dimension.newBuilder().setDimValue(v).build();
    }

    private static int indexOf(GraphProto.Builder g, String op) {
        for (int i = 0; i < g.getNodeCount(); i++) {
            if (g.getNode(i).getOpType().equals(op)) {
                return i;
            }
        }
        throw new AssertionError("no " + op + " node in the fixture");
    }

    private static OnnxImport.Imported cnn(byte[] file) throws Exception {
        return OnnxImport.toModel(CpuBackend.instance(), OnnxGraph.parse(file, OnnxGraph.Limits.DEFAULTS), null, null);
    }

    private static OnnxImport.Imported recurrent(byte[] file) throws Exception {
        return OnnxImport.toModel(CpuBackend.instance(), OnnxGraph.parse(file, OnnxGraph.Limits.DEFAULTS),
                Task.CLASSIFICATION, Fixtures.vocabulary());
    }

    private static ModelProto fixture(String name) throws Exception {
        return ModelProto.parseFrom(Files.readAllBytes(path(name)));
    }

    private static java.nio.file.Path path(String name) {
        return Fixtures.ROOT.resolve("onnx").resolve(name + ".onnx");
    }
}
