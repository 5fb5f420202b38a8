package io.streamnet.interop.onnx;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.streamnet.engine.cpu.CpuBackend;
import io.streamnet.datasets.DatasetLocator;
import io.streamnet.datasets.FashionMnist;
import io.streamnet.engine.nn.layer.Sequential;
import io.streamnet.interop.Fixtures;
import org.junit.jupiter.api.Test;

/**
 * The LeNet-5 PyTorch trained on Fashion-MNIST (train_fashion_cnn.py), as torch.onnx.export wrote it:
 * imported, it labels each of the 10,000 test images as PyTorch did (the nearest tie between two
 * logits there is 2e-3, far above float32 error), so its accuracy is PyTorch's.
 */
class OnnxTrainedCnnTest {
    @Test
    void aPyTorchTrainedLeNetLabelsEveryTestImageAsPyTorchDoes() throws Exception {
        var dir = Fixtures.ROOT.resolve("onnx");
        Sequential cnn = OnnxImport.toModel(CpuBackend.instance(), OnnxImportParityTest.graph("fashion_lenet5"), null,
                null).cnn();
        JsonNode expected = new ObjectMapper().readTree(dir.resolve("fashion_lenet5.expected.json").toFile());
        FashionMnist test = FashionMnist.loadTest(DatasetLocator.standard());
        int agree = 0;
        int correct = 0;
        for (int from = 0; from < test.count(); from += 500) {
            float[] logits = cnn.infer(test.subset(from, from + 500).imagesNchw()).toArray(); // (500, 10)
            for (int i = 0; i < 500; i++) {
                int best = 0;
                for (int k = 1; k < 10; k++) {
                    best = logits[i * 10 + k] > logits[i * 10 + best] ? k : best;
                }
                agree += best == expected.get("predictions").get(from + i).asInt() ? 1 : 0;
                correct += best == test.label(from + i) ? 1 : 0;
            }
        }
        System.out.printf("imported PyTorch LeNet-5: %d of %d test images labelled as PyTorch did; accuracy %.4f "
                + "(PyTorch's %.4f)%n", agree, test.count(), correct / (double) test.count(),
                expected.get("accuracy").asDouble());
        assertThat(agree).isEqualTo(test.count());
        assertThat(correct).isEqualTo(expected.get("correct").asInt());
    }
}
