package io.streamnet.flink.frame;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamnet.cnn.train.FashionMnistCnn;
import io.streamnet.engine.cpu.CpuBackend;
import io.streamnet.datasets.DatasetLocator;
import io.streamnet.datasets.FashionMnist;
import io.streamnet.datasets.FrameVideo;
import io.streamnet.datasets.FrameVideo.VideoFrame;
import io.streamnet.flink.sequence.PipelineFixture;
import io.streamnet.contract.PipelineTopics;
import io.streamnet.kafka.replay.KeyedEvent;
import io.streamnet.kafka.replay.VideoFrameEvents;
import io.streamnet.rnn.model.SequenceModel;
import io.streamnet.schemas.DeadLetter;
import io.streamnet.schemas.Frame;
import io.streamnet.schemas.Prediction;
import io.streamnet.schemas.PredictionKind;
import io.streamnet.training.FrameSmoother;
import io.streamnet.serving.model.ServedFrameModel;
import io.streamnet.serving.wire.Codecs;
import io.streamnet.serving.wire.RecordCodec;
import io.streamnet.serving.wire.WireFormat;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The whole frame job on a real broker and a Flink MiniCluster, exactly-once: cameras replaying
 * videos of Fashion-MNIST TEST images get one FRAME and one smoothed (MANY_TO_MANY) prediction
 * per frame, in each camera's order, with the accuracies the same models give outside Flink, and
 * the smoothed labels beat the per-frame ones; bad frames end up as dead letters.
 */
class FrameJobEndToEndTest {
    private static final int CAMERAS = 3;
    private static final int FRAMES = 160;
    private static final FrameVideo.Spec VIDEO = FrameVideo.Spec.standard();
    private static ServedFrameModel model;
    private static FashionMnist test;

    @BeforeAll
    static void trainACnnAndItsSmoother() throws Exception {
        // A short schedule: LeNet-5 on 10k training images for 2 epochs (about 0.85 on clean test images).
        DatasetLocator data = DatasetLocator.standard();
        FashionMnist train = FashionMnist.loadTrain(data, 10_000);
        test = FashionMnist.loadTest(data);
        var cpu = CpuBackend.instance();
        FashionMnistCnn.Result cnn = FashionMnistCnn.train("lenet5", train, FashionMnist.loadTest(data, 500), 2, 32,
                2e-3f, 1, cpu, FashionMnistCnn.ProgressListener.NONE);
        ServedFrameModel plain = ServedFrameModel.of(cpu, cnn.network(), null, Map.of(), "frames", 1);
        SequenceModel smoother = FrameSmoother.train(plain, train,
                new FrameSmoother.Settings(96, 48, 24, 8, 16, 0.01f, VIDEO, 3), cpu);
        model = ServedFrameModel.of(cpu, plain.cnn(), smoother, Map.of(), "frames", 1);
    }

    @Test
    void camerasReplayingTestVideosGetEveryFrameClassifiedAndSmoothedExactlyOnce() throws Exception {
        RecordCodec<Frame> avro = Codecs.of(Frame.class, WireFormat.AVRO);
        VideoFrameEvents events = new VideoFrameEvents(test, CAMERAS, FRAMES, VIDEO, 500, "cam-", () -> 1_000L);
        List<List<VideoFrame>> videos = new ArrayList<>();
        for (int c = 0; c < CAMERAS; c++) {
            videos.add(events.video(c));
        }
        try (PipelineFixture f = new PipelineFixture(2)) {
            try (var p = f.producer()) {
                while (events.hasNext()) {
                    KeyedEvent<Frame> e = events.next();
                    p.send(new ProducerRecord<>(PipelineTopics.FRAMES, e.key(), avro.encode(e.value())));
                }
                // Bad frames among the good: too few pixels, and a frame of another size than the model's.
                p.send(new ProducerRecord<>(PipelineTopics.FRAMES, "cam-x", avro.encode(Frame.newBuilder()
                        .setStreamId("cam-x").setFrameNo(0).setEventTime(Instant.EPOCH).setHeight(28).setWidth(28)
                        .setChannels(1).setPixels(ByteBuffer.wrap(new byte[700])).build())));
                p.send(new ProducerRecord<>(PipelineTopics.FRAMES, "cam-y", avro.encode(Frame.newBuilder()
                        .setStreamId("cam-y").setFrameNo(0).setEventTime(Instant.EPOCH).setHeight(32).setWidth(32)
                        .setChannels(1).setPixels(ByteBuffer.wrap(new byte[1024])).build())));
                p.flush();
            }
            FrameJobConfig c = f.configure(FrameJobConfig.builder(), "frames-e2e")
                    .bounded(true)
                    .parallelism(2)
                    .batchSize(16).build();
            StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
            FrameJob.build(env, c, model);
            long t0 = System.nanoTime();
            env.execute(FrameJob.NAME);
            System.out.printf("frame job: %d frames from %d cameras in %.1f s (MiniCluster start included)%n",
                    CAMERAS * FRAMES, CAMERAS, (System.nanoTime() - t0) / 1e9);

            int total = CAMERAS * FRAMES;
            List<Prediction> got = f.readPredictions(2 * total, Duration.ofSeconds(60));
            assertThat(got).hasSize(2 * total);
            int frameRight = 0;
            int smoothRight = 0;
            for (PredictionKind kind : List.of(PredictionKind.FRAME, PredictionKind.MANY_TO_MANY)) {
                for (int cam = 0; cam < CAMERAS; cam++) {
                    String key = "cam-" + cam;
                    List<Prediction> mine = got.stream().filter(p -> p.getKind() == kind && p.getKey().equals(key))
                            .toList();
                    assertThat(mine).as("%s %s", kind, key).hasSize(FRAMES);
                    for (int n = 0; n < FRAMES; n++) {
                        Prediction p = mine.get(n);
                        assertThat(p.getStep()).as("%s frame order", key).isEqualTo(n);
                        assertThat(p.getTrueLabel()).isEqualTo(videos.get(cam).get(n).label());
                        boolean right = p.getLabel() == p.getTrueLabel();
                        if (kind == PredictionKind.FRAME) {
                            frameRight += right ? 1 : 0;
                        } else {
                            smoothRight += right ? 1 : 0;
                        }
                    }
                }
            }
            double perFrame = frameRight / (double) total;
            double smoothed = smoothRight / (double) total;
            FrameSmoother.Report offline = FrameSmoother.evaluate(model, videos, CpuBackend.instance());
            System.out.printf("test videos through the job: per-frame accuracy %.4f, smoothed %.4f; outside Flink: %s%n",
                    perFrame, smoothed, offline);
            assertThat(perFrame).isCloseTo(offline.perFrameAccuracy(), org.assertj.core.api.Assertions.within(0.005));
            assertThat(smoothed).isCloseTo(offline.smoothedAccuracy(), org.assertj.core.api.Assertions.within(0.005));
            assertThat(smoothed).as("smoothing helps on runs of one class").isGreaterThan(perFrame + 0.05);

            List<DeadLetter> dead = f.readDeadLetters(2, Duration.ofSeconds(30));
            assertThat(dead).extracting(d -> d.getReason().toString())
                    .containsExactlyInAnyOrder("PIXEL_COUNT", "WRONG_SHAPE");
        }
    }
}
