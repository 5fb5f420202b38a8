package io.streamnet.demo;

import io.streamnet.datasets.DatasetLocator;
import io.streamnet.datasets.FashionMnist;
import io.streamnet.datasets.FrameVideo;
import io.streamnet.flink.frame.FrameJob;
import io.streamnet.flink.frame.FrameJobConfig;
import io.streamnet.contract.PipelineTopics;
import io.streamnet.local.kafka.EmbeddedKafka;
import io.streamnet.kafka.replay.Replayer;
import io.streamnet.kafka.replay.VideoFrameEvents;
import io.streamnet.kafka.serde.RecordSerde;
import io.streamnet.schemas.Frame;
import io.streamnet.schemas.Prediction;
import io.streamnet.schemas.PredictionKind;
import io.streamnet.serving.model.ServedFrameModel;
import io.streamnet.serving.wire.Codecs;
import io.streamnet.serving.wire.WireFormat;
import java.io.IOException;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * The demo's frame half: cameras replay videos of Fashion-MNIST TEST images (runs of one class,
 * noisy frames) as JSON frames; the frame job classifies them beside the sequence job; predictions
 * print with the running per-frame and smoothed accuracy.
 */
final class FrameDemo {
    /** Each camera's video: long enough that a demo rarely sees it twice. */
    private static final int FRAMES_PER_CAMERA = 2_000;
    private static final long VIDEO_SEED = 2_000;

    private final ServedFrameModel model;
    private final int cameras;
    private final double fps;
    private final FashionMnist test;
    private final AtomicLong frames = new AtomicLong();
    private final AtomicLong perFrameRight = new AtomicLong();
    private final AtomicLong perFrameSeen = new AtomicLong();
    private final AtomicLong smoothedRight = new AtomicLong();
    private final AtomicLong smoothedSeen = new AtomicLong();

    FrameDemo(ServedFrameModel model, int cameras, double fps, DatasetLocator data) throws IOException {
        this.model = model;
        this.cameras = cameras;
        this.fps = fps;
        this.test = FashionMnist.loadTest(data);
    }

    /** Adds the frame job to {@code env}: JSON in and out, exactly-once, checkpoint every second. */
    void build(StreamExecutionEnvironment env, String bootstrap, String checkpointDir) {
        FrameJob.build(env, DemoJobs.common(FrameJobConfig.builder(), bootstrap, "streamnet-demo-frames", 2)
                .batchSize(16)
                .batchMillis(50)
                .checkpointDir(checkpointDir)
                .build(), model);
    }

    ServedFrameModel model() {
        return model;
    }

    String describe() {
        return String.format(Locale.ROOT, "%d cameras at %.1f frames/s each, model %s", cameras, fps, model);
    }

    /** Replays the cameras' videos, round after round, until stopped. */
    void replayForever(EmbeddedKafka kafka, AtomicBoolean stop) {
        RecordSerde<Frame> serde = new RecordSerde<>(Codecs.of(Frame.class, WireFormat.JSON));
        int round = 0;
        try {
            while (!stop.get()) {
                VideoFrameEvents events = new VideoFrameEvents(test, cameras, FRAMES_PER_CAMERA,
                        FrameVideo.Spec.standard(), VIDEO_SEED + 100L * round++, "cam-", System::currentTimeMillis);
                var stoppable = new java.util.Iterator<io.streamnet.kafka.replay.KeyedEvent<Frame>>() {
                    @Override
                    public boolean hasNext() {
                        return !stop.get() && events.hasNext();
                    }

                    @Override
                    public io.streamnet.kafka.replay.KeyedEvent<Frame> next() {
                        return events.next();
                    }
                };
                Replayer.replay(kafka.clientProperties(), PipelineTopics.FRAMES, serde, stoppable, fps * cameras, 0,
                        n -> frames.incrementAndGet());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            if (!stop.get()) {
                System.err.println("frame replay stopped: " + e.getMessage());
            }
        }
    }

    /** Whether {@code p} is a frame prediction (and then prints it). */
    boolean print(Prediction p) {
        if (!model.modelId().equals(p.getModelId()) || (p.getKind() != PredictionKind.FRAME
                && p.getKind() != PredictionKind.MANY_TO_MANY)) {
            return false;
        }
        int label = p.getLabel();
        boolean smoothed = p.getKind() == PredictionKind.MANY_TO_MANY;
        Integer truth = p.getTrueLabel();
        if (truth != null) {
            (smoothed ? smoothedSeen : perFrameSeen).incrementAndGet();
            if (truth == label) {
                (smoothed ? smoothedRight : perFrameRight).incrementAndGet();
            }
        }
        float conf = label >= 0 && label < p.getProbabilities().size() ? p.getProbabilities().get(label) : Float.NaN;
        System.out.printf(Locale.ROOT, "%-14s %-11s frame %4d: %-11s %.2f  model %s v%d  %4d ms%s%n", p.getKey(),
                smoothed ? "SMOOTHED" : "FRAME", p.getStep(), name(label), conf, p.getModelId(), p.getModelVersion(),
                p.getLatencyMs(), truth == null ? "" : truth == label ? "  ok" : "  (was " + name(truth) + ")");
        return true;
    }

    String summary() {
        return String.format(Locale.ROOT, "%d frames sent; accuracy per frame %s, smoothed %s", frames.get(),
                ratio(perFrameRight.get(), perFrameSeen.get()), ratio(smoothedRight.get(), smoothedSeen.get()));
    }

    private static String ratio(long right, long seen) {
        return seen == 0 ? "-" : String.format(Locale.ROOT, "%.3f (%d)", right / (double) seen, seen);
    }

    private static String name(int label) {
        return label >= 0 && label < FashionMnist.CLASS_NAMES.size() ? FashionMnist.CLASS_NAMES.get(label) : "?";
    }
}
