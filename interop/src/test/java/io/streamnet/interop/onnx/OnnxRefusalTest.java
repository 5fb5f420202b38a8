package io.streamnet.interop.onnx;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import io.streamnet.engine.cpu.CpuBackend;
import io.streamnet.interop.Fixtures;
import io.streamnet.interop.ImportException;
import io.streamnet.interop.onnx.proto.OnnxSubset.AttributeProto;
import io.streamnet.interop.onnx.proto.OnnxSubset.ModelProto;
import io.streamnet.interop.onnx.proto.OnnxSubset.NodeProto;
import io.streamnet.interop.onnx.proto.OnnxSubset.TensorProto;
import io.streamnet.rnn.model.Task;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/** What the ONNX importer refuses, each with a message naming the operator, node or tensor. */
class OnnxRefusalTest {
    @Test
    void anOperatorOutsideTheSupportedSetIsRefusedNamingItAndItsNode() throws Exception {
        ModelProto m = edit("resnet_tiny", n -> n.getOpType().equals("Relu") && n.getName().contains("stem")
                ? n.toBuilder().setOpType("LeakyRelu").build() : n);
        assertThatThrownBy(() -> cnn(m)).isInstanceOf(ImportException.class)
                .hasMessageContaining("LeakyRelu node '/stem/stem.2/Relu'").hasMessageContaining("not an operator");
    }

    @Test
    void aReshapeThatIsNotAFlattenToBatchAndFeaturesIsRefused() throws Exception {
        // the fixed-batch export's target (4, 144) made (2, -1): two images' features per row
        ModelProto m = edit("cnn_view_fixed", n -> n.getOpType().equals("Constant")
                ? n.toBuilder().clearAttribute().addAttribute(AttributeProto.newBuilder().setName("value")
                .setType(AttributeProto.AttributeType.TENSOR).setT(TensorProto.newBuilder().addDims(2)
                        .setDataType(TensorProto.DataType.INT64_VALUE).addInt64Data(2).addInt64Data(-1))).build() : n);
        assertThatThrownBy(() -> cnn(m)).isInstanceOf(ImportException.class)
                .hasMessageContaining("Reshape node").hasMessageContaining("reshapes to [2, -1]");
    }

    @Test
    void aBidirectionalLayerIsRefusedBecauseAStreamOnlyRunsForward() throws Exception {
        ModelProto m = edit("lstm_tokens", n -> n.getOpType().equals("LSTM")
                ? n.toBuilder().addAttribute(string("direction", "bidirectional")).build() : n);
        assertThatThrownBy(() -> recurrent(m)).isInstanceOf(ImportException.class)
                .hasMessageContaining("LSTM node").hasMessageContaining("bidirectional");
    }

    @Test
    void aGruThatResetsBeforeTheRecurrentProductIsRefused() throws Exception {
        ModelProto m = edit("gru_features_hn", n -> {
            if (!n.getOpType().equals("GRU")) {
                return n;
            }
            NodeProto.Builder b = n.toBuilder().clearAttribute();
            n.getAttributeList().stream().filter(a -> !a.getName().equals("linear_before_reset")).forEach(b::addAttribute);
            return b.build();
        });
        assertThatThrownBy(() -> recurrent(m)).isInstanceOf(ImportException.class)
                .hasMessageContaining("linear_before_reset = 0");
    }

    @Test
    void aNonZeroInitialStateIsRefusedBecauseANewKeyStartsAtZero() throws Exception {
        ModelProto m = edit("lstm_tokens", n -> n.getOpType().equals("ConstantOfShape")
                ? n.toBuilder().clearAttribute().addAttribute(AttributeProto.newBuilder().setName("value")
                .setType(AttributeProto.AttributeType.TENSOR).setT(TensorProto.newBuilder().addDims(1)
                        .setDataType(TensorProto.DataType.FLOAT_VALUE).addFloatData(0.5f))).build() : n);
        assertThatThrownBy(() -> recurrent(m)).isInstanceOf(ImportException.class)
                .hasMessageContaining("initial h is not zero");
    }

    @Test
    void weightsInAnExternalFileAreRefused() throws Exception {
        ModelProto m = fixture("rnn_features_seqfirst");
        ModelProto.Builder b = m.toBuilder();
        TensorProto w = b.getGraph().getInitializer(0);
        b.getGraphBuilder().setInitializer(0, w.toBuilder().clearRawData().clearFloatData()
                .setDataLocation(TensorProto.DataLocation.EXTERNAL));
        assertThatThrownBy(() -> OnnxGraph.parse(b.build().toByteArray(), OnnxGraph.Limits.DEFAULTS))
                .isInstanceOf(ImportException.class).hasMessageContaining(w.getName()).hasMessageContaining("external");
    }

    @Test
    void aTensorOverTheElementLimitIsRefusedBeforeItsArrayIsAllocated() throws Exception {
        byte[] bytes = Files.readAllBytes(path("lenet5_softmax"));
        assertThatThrownBy(() -> OnnxGraph.parse(bytes, new OnnxGraph.Limits(Integer.MAX_VALUE, 1000)))
                .isInstanceOf(ImportException.class).hasMessageContaining("over 1000 elements");
    }

    @Test
    void aFileOverTheSizeLimitIsRefusedBeforeItIsRead() {
        assertThatThrownBy(() -> OnnxGraph.read(path("lenet5_softmax"), new OnnxGraph.Limits(4096, 1L << 20)))
                .isInstanceOf(ImportException.class).hasMessageContaining("over the limit of 4096");
    }

    @Test
    void bytesThatAreNotAModelAreRefused() {
        assertThatThrownBy(() -> OnnxGraph.parse("not a model at all".getBytes(), OnnxGraph.Limits.DEFAULTS))
                .isInstanceOf(ImportException.class);
    }

    @Test
    void aTokenModelWithoutAVocabularyIsRefused() throws Exception {
        ModelProto m = fixture("lstm_tokens");
        assertThatThrownBy(() -> OnnxImport.toModel(CpuBackend.instance(), graph(m), Task.CLASSIFICATION, null))
                .isInstanceOf(ImportException.class).hasMessageContaining("vocabulary");
    }

    private static void recurrent(ModelProto m) throws Exception {
        OnnxImport.toModel(CpuBackend.instance(), graph(m), Task.CLASSIFICATION, Fixtures.vocabulary());
    }

    private static void cnn(ModelProto m) throws Exception {
        OnnxImport.toModel(CpuBackend.instance(), graph(m), null, null);
    }

    private static OnnxGraph graph(ModelProto m) throws ImportException {
        return OnnxGraph.parse(m.toByteArray(), OnnxGraph.Limits.DEFAULTS);
    }

    private static ModelProto edit(String fixture, UnaryOperator<NodeProto> change) throws Exception {
        ModelProto.Builder b = fixture(fixture).toBuilder();
        var g = b.getGraphBuilder();
        for (int i = 0; i < g.getNodeCount(); i++) {
            g.setNode(i, change.apply(g.getNode(i)));
        }
        return b.build();
    }

    private static ModelProto fixture(String name) throws Exception {
        return ModelProto.parseFrom(Files.readAllBytes(path(name)));
    }

    private static Path path(String name) {
        return Fixtures.ROOT.resolve("onnx").resolve(name + ".onnx");
    }

    private static AttributeProto string(String name, String value) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.STRING)
                .setS(ByteString.copyFromUtf8(value)).build();
    }
}
