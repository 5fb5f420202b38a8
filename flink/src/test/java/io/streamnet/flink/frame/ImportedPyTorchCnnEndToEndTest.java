package io.streamnet.flink.frame;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.streamnet.cnn.zoo.LeNet5;
import io.streamnet.engine.cpu.CpuBackend;
import io.streamnet.datasets.DatasetLocator;
import io.streamnet.datasets.FashionMnist;
import io.streamnet.engine.nn.layer.Sequential;
import io.streamnet.flink.sequence.PipelineFixture;
import io.streamnet.interop.onnx.OnnxGraph;
import io.streamnet.interop.onnx.OnnxImport;
import io.streamnet.contract.PipelineTopics;
import io.streamnet.schemas.Frame;
import io.streamnet.schemas.ModelUpdate;
import io.streamnet.schemas.Prediction;
import io.streamnet.schemas.PredictionKind;
import io.streamnet.serving.model.ModelUpdates;
import io.streamnet.serving.model.ServedFrameModel;
import io.streamnet.serving.wire.Codecs;
import io.streamnet.serving.wire.RecordCodec;
import io.streamnet.serving.wire.WireFormat;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;

/**
 * A LeNet-5 trained by PyTorch on the Fashion-MNIST training images and exported to ONNX
 * (interop's train_fashion_cnn.py), imported, published to model-updates while the frame job
 * serves a random LeNet-5, then all 10,000 test images streamed as frames of four cameras: every
 * frame gets the label PyTorch gave its image, so the streamed accuracy is PyTorch's own.
 */
class ImportedPyTorchCnnEndToEndTest {
    private static final Path ONNX = Path.of("../interop/src/test/resources/onnx");
    private static final int CAMERAS = 4;
    private static final String MODEL_ID = "frames";

    @Test
    void aPyTorchCnnPublishedToTheRunningFrameJobGivesPyTorchsLabelsOnEveryTestImage() throws Exception {
        CpuBackend cpu = CpuBackend.instance();
        Sequential imported = OnnxImport.toModel(cpu, OnnxGraph.read(ONNX.resolve("fashion_lenet5.onnx"),
                OnnxGraph.Limits.DEFAULTS), null, null).cnn();
        JsonNode expected = new ObjectMapper().readTree(ONNX.resolve("fashion_lenet5.expected.json").toFile());
        FashionMnist test = FashionMnist.loadTest(DatasetLocator.standard());
        assertThat(test.count()).isEqualTo(expected.get("test_images").asInt());
        byte[] update = ServedFrameModel.of(cpu, imported, null, Map.of(), MODEL_ID, 2).checkpoint();
        ServedFrameModel initial = ServedFrameModel.of(cpu, LeNet5.build(cpu, 9), null, Map.of(), MODEL_ID, 1);
        RecordCodec<Frame> frames = Codecs.of(Frame.class, WireFormat.AVRO);
        try (PipelineFixture f = new PipelineFixture(1)) {
            FrameJobConfig c = f.configure(FrameJobConfig.builder(), "import-cnn-e2e")
                    .parallelism(1).build(); // one subtask: once a probe is served by the new version, every camera is
            StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
            FrameJob.build(env, c, initial);
            JobClient job = env.executeAsync(FrameJob.NAME);
            try {
                f.send(PipelineTopics.MODEL_UPDATES, MODEL_ID, Codecs.of(ModelUpdate.class, WireFormat.AVRO)
                        .encode(ModelUpdates.toUpdate(MODEL_ID, 2, update, Map.of())));
                int probes = f.awaitServedVersion(2, Duration.ofMinutes(2), i -> new ProducerRecord<>(
                        PipelineTopics.FRAMES, "probe-" + i, frames.encode(frame("probe-" + i, 0, new byte[784], null))));
                int pixels = test.pixelsPerImage();
                try (var p = f.producer()) {
                    for (int i = 0; i < test.count(); i++) {
                        byte[] image = new byte[pixels];
                        System.arraycopy(test.pixels(), i * pixels, image, 0, pixels);
                        String camera = "cam-" + i % CAMERAS;
                        p.send(new ProducerRecord<>(PipelineTopics.FRAMES, camera,
                                frames.encode(frame(camera, i / CAMERAS, image, test.label(i)))));
                    }
                }
                Prediction[] byImage = new Prediction[test.count()];
                for (Prediction p : f.readPredictions(probes + test.count(), Duration.ofMinutes(2))) {
                    String key = p.getKey().toString();
                    if (key.startsWith("cam-")) {
                        assertThat(p.getKind()).isEqualTo(PredictionKind.FRAME);
                        byImage[(int) p.getStep() * CAMERAS + Integer.parseInt(key.substring(4))] = p;
                    }
                }
                int correct = 0;
                int agree = 0;
                for (int i = 0; i < byImage.length; i++) {
                    Prediction p = byImage[i];
                    assertThat(p).as("prediction of test image %d", i).isNotNull();
                    assertThat(p.getModelVersion()).isEqualTo(2);
                    assertThat(p.getTrueLabel()).isEqualTo(test.label(i));
                    agree += p.getLabel() == expected.get("predictions").get(i).asInt() ? 1 : 0;
                    correct += p.getLabel() == test.label(i) ? 1 : 0;
                }
                System.out.printf("imported PyTorch LeNet-5 (ONNX) on the Fashion-MNIST test images through the frame "
                        + "job: streamed accuracy %.4f, PyTorch's %.4f; labels agree on %d of %d frames%n",
                        correct / (double) byImage.length, expected.get("accuracy").asDouble(), agree, byImage.length);
                assertThat(agree).isEqualTo(byImage.length);
                assertThat(correct).isEqualTo(expected.get("correct").asInt());
            } finally {
                job.cancel().get();
            }
        }
    }

    private static Frame frame(String camera, long frameNo, byte[] pixels, Integer label) {
        return Frame.newBuilder().setStreamId(camera).setFrameNo(frameNo).setEventTime(Instant.ofEpochMilli(
                1_700_000_000_000L + frameNo)).setHeight(28).setWidth(28).setChannels(1)
                .setPixels(ByteBuffer.wrap(pixels)).setLabel(label).build();
    }
}
