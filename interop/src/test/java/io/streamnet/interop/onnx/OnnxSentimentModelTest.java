package io.streamnet.interop.onnx;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamnet.engine.cpu.CpuBackend;
import io.streamnet.engine.nn.Parameter;
import io.streamnet.interop.Fixtures;
import io.streamnet.interop.pytorch.RecurrentArch;
import io.streamnet.interop.pytorch.RecurrentImport;
import io.streamnet.interop.safetensors.SafeTensors;
import io.streamnet.rnn.model.OutputType;
import io.streamnet.rnn.model.SequenceModel;
import org.junit.jupiter.api.Test;

/**
 * The PyTorch-trained sentiment GRU of the end-to-end test, exported by torch.onnx.export
 * (train_sentiment_gru.py onnx): the ONNX import is the safetensors import, weight for weight, so
 * what the sequence job streams for one (PyTorch's labels on all 510 test conversations) holds for
 * the other.
 */
class OnnxSentimentModelTest {
    @Test
    void theOnnxExportOfATrainedModelImportsToTheSameWeightsAsItsStateDict() throws Exception {
        var dir = Fixtures.ROOT.resolve("pytorch");
        RecurrentArch arch = RecurrentArch.read(dir.resolve("sentiment_gru.arch.json"));
        SequenceModel fromStateDict = RecurrentImport.toModel(CpuBackend.instance(), SafeTensors.read(
                dir.resolve("sentiment_gru.safetensors"), SafeTensors.Limits.DEFAULTS).tensors(), arch).model();

        OnnxImport.Imported onnx = OnnxImport.toModel(CpuBackend.instance(),
                OnnxImportParityTest.graph("sentiment_gru"), null, arch.vocabulary());

        SequenceModel fromOnnx = onnx.recurrent().model();
        assertThat(fromOnnx.config()).isEqualTo(fromStateDict.config());
        assertThat(fromOnnx.config().outputType()).isEqualTo(OutputType.MANY_TO_ONE);
        for (Parameter p : fromStateDict.parameters()) {
            assertThat(fromOnnx.store().get(p.name()).value().toArray()).as(p.name()).containsExactly(p.value().toArray());
        }
    }
}
