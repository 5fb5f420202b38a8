package io.streamnet.interop.onnx;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamnet.engine.cpu.CpuBackend;
import io.streamnet.interop.Fixtures;
import io.streamnet.interop.safetensors.SafeTensors;
import io.streamnet.rnn.model.OutputType;
import io.streamnet.rnn.model.SequenceModel;
import io.streamnet.rnn.model.Task;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Graphs written by {@code torch.onnx.export} (src/test/python/make_fixtures.py), imported and run:
 * recurrent ones stepped key by key through the streaming API give PyTorch's outputs; CNNs give
 * PyTorch's logits (or probabilities, where the graph ends in a Softmax).
 */
class OnnxImportParityTest {
    @ParameterizedTest(name = "{0}")
    @CsvSource({
            "lstm_tokens, classification, MANY_TO_MANY",
            "gru_features_hn, classification, MANY_TO_ONE",
            "rnn_features_seqfirst, regression, MANY_TO_ONE",
            "lstm_tokens_last_opset11, classification, MANY_TO_ONE"})
    void aRecurrentGraphSteppedThroughTheStreamingApiGivesPyTorchsOutputs(String fixture, String task, OutputType output)
            throws Exception {
        OnnxImport.Imported imported = OnnxImport.toModel(CpuBackend.instance(), graph(fixture),
                Task.valueOf(task.toUpperCase()), fixture.contains("tokens") ? Fixtures.vocabulary() : null);
        SequenceModel model = imported.recurrent().model();
        assertThat(model.config().outputType()).isEqualTo(output);
        SafeTensors.Contents io = Fixtures.io("onnx", fixture);
        double worst = Fixtures.largestStepDifference(model, io.tensors().get("inputs"), io.tensors().get("outputs"));
        System.out.printf("onnx %s (%s, %d layer(s)): largest |ours - PyTorch| %.2e%n", fixture, model.config().cell(),
                model.config().layers(), worst);
        assertThat(worst).as(fixture).isLessThan(Fixtures.TOLERANCE);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({
            "resnet_tiny, resnet_tiny, false",
            "resnet_tiny_bn, resnet_tiny, false",
            "lenet5_softmax, lenet5_softmax, true",
            "cnn_view, cnn_view, false",
            "cnn_view_fixed, cnn_view, false"})
    void aConvolutionalGraphGivesPyTorchsOutputs(String fixture, String io, boolean softmax) throws Exception {
        OnnxImport.Imported imported = OnnxImport.toModel(CpuBackend.instance(), graph(fixture), null, null);
        assertThat(imported.isRecurrent()).isFalse();
        assertThat(imported.endsInSoftmax()).isEqualTo(softmax);
        SafeTensors.Contents want = Fixtures.io("onnx", io);
        double worst = Fixtures.largestDifference(imported.cnn(), want.tensors().get("inputs"),
                want.tensors().get(softmax ? "probabilities" : "logits"), softmax);
        System.out.printf("onnx %s (%d layers): largest |ours - PyTorch| %.2e%n", fixture, imported.cnn().layers().size(),
                worst);
        assertThat(worst).as(fixture).isLessThan(Fixtures.TOLERANCE);
    }

    static OnnxGraph graph(String fixture) throws Exception {
        return OnnxGraph.read(Fixtures.ROOT.resolve("onnx").resolve(fixture + ".onnx"), OnnxGraph.Limits.DEFAULTS);
    }
}
