package io.streamnet.flink.frame;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.streamnet.cnn.zoo.LeNet5;
import io.streamnet.engine.cpu.CpuBackend;
import io.streamnet.engine.tensor.Tensor;
import io.streamnet.local.flink.StandaloneCluster;
import io.streamnet.flink.sequence.PipelineFixture;
import io.streamnet.contract.PipelineTopics;
import io.streamnet.rnn.cell.CellType;
import io.streamnet.rnn.model.ModelConfig;
import io.streamnet.rnn.model.OutputType;
import io.streamnet.rnn.model.SequenceModel;
import io.streamnet.rnn.model.Task;
import io.streamnet.rnn.state.RnnState;
import io.streamnet.schemas.Frame;
import io.streamnet.schemas.Prediction;
import io.streamnet.schemas.PredictionKind;
import io.streamnet.serving.frame.FrameClassifier;
import io.streamnet.serving.model.ServedFrameModel;
import io.streamnet.serving.output.Predictions;
import io.streamnet.serving.wire.Codecs;
import io.streamnet.serving.wire.RecordCodec;
import io.streamnet.serving.wire.WireFormat;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The frame job at parallelism 4 on a standalone cluster of separate JVMs, exactly-once, while
 * cameras stream frames: a TaskManager is killed with SIGKILL at a random point and replaced. Every
 * frame still gets exactly one FRAME and one smoothed prediction, equal to the fault-free run's
 * (the CNN and the per-camera GRU smoother outside Flink, frame by frame): the smoother's state of
 * every camera came back from the checkpoint.
 */
class FrameTaskManagerKillTest {
    static final int CAMERAS = 8;
    static final int FRAMES = 40;

    @TempDir
    Path tmp;

    @Test
    void aKilledTaskManagerLosesNoFrameAndDuplicatesNone() throws Exception {
        long seed = System.nanoTime();
        Random rnd = new Random(seed);
        var cpu = CpuBackend.instance();
        SequenceModel smoother = new SequenceModel(cpu, ModelConfig.features(CellType.GRU, 84, 8, 1, 0f, 10,
                Task.CLASSIFICATION, OutputType.MANY_TO_MANY), 4);
        ServedFrameModel model = ServedFrameModel.of(cpu, LeNet5.build(cpu, 5), smoother, Map.of(), "kill-frames", 1);
        byte[][][] pixels = new byte[CAMERAS][FRAMES][784];
        int[][] labels = new int[CAMERAS][FRAMES];
        for (int c = 0; c < CAMERAS; c++) {
            for (int n = 0; n < FRAMES; n++) {
                rnd.nextBytes(pixels[c][n]);
                labels[c][n] = rnd.nextInt(10);
            }
        }
        int killAfter = 5 + rnd.nextInt(FRAMES - 15);
        System.out.printf("seed %d: %d cameras x %d frames, TaskManager kill after frame %d%n", seed, CAMERAS, FRAMES,
                killAfter);

        RecordCodec<Frame> avro = Codecs.of(Frame.class, WireFormat.AVRO);
        try (PipelineFixture f = new PipelineFixture(4);
             StandaloneCluster cluster = StandaloneCluster.start(StandaloneCluster.Settings.local(tmp.resolve("flink"), 2),
                     2, Duration.ofSeconds(120))) {
            FrameJobConfig c = f.configure(FrameJobConfig.builder(), "frame-kill")
                    .parallelism(4)
                    .batchSize(16)
                    .checkpointDir(tmp.resolve("checkpoints").toUri().toString()) // reached by every process
                    .restartInitialBackoff(Duration.ofMillis(500)).build();
            StreamExecutionEnvironment env = StreamExecutionEnvironment.createRemoteEnvironment("127.0.0.1",
                    cluster.restPort());
            FrameJob.build(env, c, model);
            JobClient job = env.executeAsync(FrameJob.NAME);
            String jobId = job.getJobID().toString();

            long t0 = System.nanoTime();
            String kill = null;
            for (int n = 0; n < FRAMES; n++) {
                try (var p = f.producer()) {
                    for (int cam = 0; cam < CAMERAS; cam++) {
                        String key = "cam-" + cam;
                        p.send(new ProducerRecord<>(PipelineTopics.FRAMES, key, avro.encode(Frame.newBuilder()
                                .setStreamId(key).setFrameNo(n).setEventTime(Instant.ofEpochMilli(1_700_000_000_000L + n))
                                .setHeight(28).setWidth(28).setChannels(1).setPixels(ByteBuffer.wrap(pixels[cam][n]))
                                .setLabel(labels[cam][n]).build())));
                    }
                }
                Thread.sleep(100 + rnd.nextInt(200));
                if (n == killAfter) {
                    cluster.awaitRunning(jobId, Duration.ofSeconds(120));
                    Thread.sleep(rnd.nextInt(1000));
                    cluster.killTaskManager(rnd.nextInt(cluster.taskManagersAlive()));
                    kill = String.format("%.1f s (after frame %d of each camera)", (System.nanoTime() - t0) / 1e9, n);
                    cluster.startTaskManager();
                }
            }
            long beforeRead = System.nanoTime();
            List<Prediction> got = f.readPredictions(2 * CAMERAS * FRAMES, Duration.ofSeconds(240));
            System.out.printf("TaskManager killed at %s; all %d committed predictions read %.1f s after the last frame; "
                    + "the job failed over %d times%n", kill, got.size(), (System.nanoTime() - beforeRead) / 1e9,
                    cluster.failovers(jobId));
            assertThat(cluster.failovers(jobId)).as("the kill made the job fail over").isPositive();
            job.cancel().get();

            Map<String, Prediction> byFrame = new HashMap<>();
            for (Prediction p : got) {
                assertThat(byFrame.put(p.getKey() + "/" + p.getKind() + "/" + p.getStep(), p))
                        .as("a second %s prediction for %s frame %d", p.getKind(), p.getKey(), p.getStep()).isNull();
            }
            assertThat(byFrame).hasSize(2 * CAMERAS * FRAMES);
            FrameClassifier cnn = new FrameClassifier(model, cpu, 1);
            for (int cam = 0; cam < CAMERAS; cam++) {
                RnnState state = smoother.initialState();
                for (int n = 0; n < FRAMES; n++) {
                    cnn.load(0, pixels[cam][n]);
                    cnn.run(1);
                    Tensor probs = cnn.probabilities();
                    float[] frame = new float[probs.shape()[1]];
                    for (int k = 0; k < frame.length; k++) {
                        frame[k] = probs.get(0, k);
                    }
                    float[] features = new float[cnn.features().shape()[1]];
                    for (int k = 0; k < features.length; k++) {
                        features[k] = cnn.features().get(0, k);
                    }
                    SequenceModel.StepResult r = smoother.step(state, features);
                    state = r.state();
                    expect(byFrame.get("cam-" + cam + "/" + PredictionKind.FRAME + "/" + n), frame, labels[cam][n]);
                    expect(byFrame.get("cam-" + cam + "/" + PredictionKind.MANY_TO_MANY + "/" + n), r.output(),
                            labels[cam][n]);
                }
            }
        }
    }

    /** Batched and single-frame convolutions sum in different orders: equal to float rounding. */
    private static void expect(Prediction p, float[] want, int label) {
        List<Float> got = p.getProbabilities();
        assertThat(got).hasSize(want.length);
        for (int k = 0; k < want.length; k++) {
            assertThat(got.get(k)).as("%s %s frame %d class %d", p.getKey(), p.getKind(), p.getStep(), k)
                    .isCloseTo(want[k], within(1e-5f));
        }
        assertThat(p.getTrueLabel()).isEqualTo(label);
        float[] sorted = want.clone();
        java.util.Arrays.sort(sorted);
        if (sorted[sorted.length - 1] - sorted[sorted.length - 2] > 1e-4f) {
            assertThat(p.getLabel()).isEqualTo(Predictions.argmax(want));
        }
    }
}
