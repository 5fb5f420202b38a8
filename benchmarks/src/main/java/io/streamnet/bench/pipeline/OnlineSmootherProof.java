package io.streamnet.bench.pipeline;

import io.streamnet.engine.backend.Backend;
import io.streamnet.engine.backend.Backends;
import io.streamnet.engine.checkpoint.Checkpoints;
import io.streamnet.datasets.DatasetLocator;
import io.streamnet.datasets.FashionMnist;
import io.streamnet.datasets.FrameVideo;
import io.streamnet.flink.training.SequenceTrainingJob;
import io.streamnet.flink.training.TrainingJobConfig;
import io.streamnet.contract.PipelineTopics;
import io.streamnet.kafka.admin.TopicAdmin;
import io.streamnet.contract.TopicSpec;
import io.streamnet.local.kafka.EmbeddedKafka;
import io.streamnet.rnn.cell.CellType;
import io.streamnet.rnn.model.ModelConfig;
import io.streamnet.rnn.model.OutputType;
import io.streamnet.rnn.model.RnnCheckpoints;
import io.streamnet.rnn.model.SequenceModel;
import io.streamnet.rnn.model.Task;
import io.streamnet.schemas.ModelUpdate;
import io.streamnet.schemas.StepEvent;
import io.streamnet.serving.frame.FrameClassifier;
import io.streamnet.training.FrameSmoother;
import io.streamnet.serving.model.ModelUpdates;
import io.streamnet.serving.model.ServedFrameModel;
import io.streamnet.serving.model.ServedModel;
import io.streamnet.serving.model.ServedSequenceModel;
import io.streamnet.serving.wire.Codecs;
import io.streamnet.serving.wire.RecordCodec;
import io.streamnet.serving.wire.WireFormat;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The camera smoother (a GRU over a frozen CNN's features, many-to-many), online against offline:
 * the same {@link FrameSmoother.Settings#standard()} videos of Fashion-MNIST TRAINING images.
 * Offline, {@link FrameSmoother#train} (full BPTT, 12 epochs of batches of 16). Online, each video
 * is a key streaming one StepEvent per frame (the CNN's features, the frame's label) to the
 * training job, 16 videos at a time, 12 passes, windows of the whole video (k1 = k2 = 64: full
 * BPTT, as offline), a gradient per 16 windows. Both smoothers' smoothed accuracy on videos of TEST
 * images, stepped as the frame operator steps them.
 */
public final class OnlineSmootherProof {
    static final String STEPS = "smoother-steps";
    static final String UPDATES = "smoother-model-updates";

    private OnlineSmootherProof() {
    }

    public static void main(String[] args) throws Exception {
        Backend backend = Backends.get();
        Path lenet = Path.of(System.getProperty("user.home"), ".cache", "streamnet", "models", "lenet5.ckpt");
        if (!Files.isRegularFile(lenet)) {
            System.err.println("no LeNet-5 at " + lenet + ": train it first (./streamnet train cnn lenet5)");
            System.exit(2);
        }
        ServedFrameModel cnn = ServedFrameModel.load(backend, Files.readAllBytes(lenet), null, -1);
        DatasetLocator data = DatasetLocator.standard();
        FashionMnist train = FashionMnist.loadTrain(data);
        FrameSmoother.Settings s = FrameSmoother.Settings.standard();
        List<List<FrameVideo.VideoFrame>> testVideos = FrameSmoother.videos(FashionMnist.loadTest(data), 8, 500,
                s.video(), 1_000);

        long t0 = System.nanoTime();
        SequenceModel offline = FrameSmoother.train(cnn, train, s, backend);
        FrameSmoother.Report off = FrameSmoother.evaluate(ServedFrameModel.of(backend, cnn.cnn(), offline, Map.of(),
                "offline", 1), testVideos, backend);
        System.out.printf("offline smoother (%d videos x %d, %d epochs, %.1f s): %s%n", s.videos(), s.videoLength(),
                s.epochs(), (System.nanoTime() - t0) / 1e9, off);

        // The same training videos, as offline draws them, as CNN features per frame.
        FrameClassifier classifier = new FrameClassifier(cnn, backend, s.videoLength());
        List<float[][]> feats = new ArrayList<>();
        List<int[]> labels = new ArrayList<>();
        for (int v = 0; v < s.videos(); v++) {
            List<FrameVideo.VideoFrame> video = FrameVideo.of(train, s.videoLength(), s.video(), s.seed() * 1_000_003L + v);
            for (int i = 0; i < video.size(); i++) {
                classifier.load(i, video.get(i).pixels());
            }
            classifier.run(video.size());
            float[][] f = new float[video.size()][];
            for (int i = 0; i < f.length; i++) {
                f[i] = classifier.features().row(i).toArray();
            }
            feats.add(f);
            labels.add(video.stream().mapToInt(FrameVideo.VideoFrame::label).toArray());
        }

        SequenceModel fresh = new SequenceModel(backend, ModelConfig.features(CellType.GRU, cnn.featureSize(), s.hidden(),
                1, 0f, cnn.classes(), Task.CLASSIFICATION, OutputType.MANY_TO_MANY), s.seed());
        byte[] v0 = Checkpoints.toBytes(RnnCheckpoints.toCheckpoint(fresh, null, Map.of(ServedModel.META_ID,
                "smoother-online", ServedModel.META_VERSION, "0")));
        ServedSequenceModel initial = ServedSequenceModel.load(backend, v0, "smoother-online", 0);
        FrameSmoother.Report before = FrameSmoother.evaluate(ServedFrameModel.of(backend, cnn.cnn(), fresh, Map.of(),
                "v0", 1), testVideos, backend);
        try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
            try (Admin admin = Admin.create(kafka.clientProperties())) {
                new TopicAdmin(admin).ensure(PipelineTopics.all(2, (short) 1));
                new TopicAdmin(admin).ensure(List.of(new TopicSpec(STEPS, 2, (short) 1, Map.of()),
                        new TopicSpec(UPDATES, 1, (short) 1, Map.of("max.message.bytes", Integer.toString(64 << 20)))));
            }
            TrainingJobConfig c = TrainingJobConfig.builder()
                    .bootstrapServers(kafka.bootstrapServers())
                    .inputTopic(STEPS)
                    .modelUpdatesTopic(UPDATES)
                    .groupId("smoother-online")
                    .transactionalIdPrefix("smoother-online")
                    // One training subtask: the 16 windows of a group end in one round and make one gradient, offline's
                    // batch of 16; at parallelism 2 each gradient holds about 8, twice the steps for the same schedule.
                    .parallelism(1)
                    .checkpointInterval(Duration.ofMillis(250))
                    .k1(s.videoLength())
                    .maxSteps(s.videoLength())
                    .windowsPerGradient(s.batch())
                    .heldOutShare(0)
                    .learningRate(s.lr())
                    // Offline decays by a cosine over its 192 steps (mean rate 0.5 x peak); halving every 96 keeps
                    // about as much of the rate over the run.
                    .decayEvery(96)
                    .decayGamma(0.5f)
                    .weightDecay(0)
                    .clipNorm(5)
                    .gradientsPerUpdate(1) // a version per gradient: the trainers learn on weights at most a commit old
                    .publishEvery(Duration.ofSeconds(2))
                    .batchSize(256).build();
            StreamExecutionEnvironment env = PipelineBenchmark.env();
            SequenceTrainingJob.build(env, c, initial);
            JobClient job = env.executeAsync("smoother online");
            long start = System.currentTimeMillis();
            produce(kafka, feats, labels, s.epochs(), s.batch());
            List<ModelUpdate> updates = OnlineCharModelProof.awaitQuiet(kafka, UPDATES, Duration.ofSeconds(10));
            job.cancel().get();
            System.out.printf("online: %d passes sent in %.1f s; %d versions%n", s.epochs(),
                    (System.currentTimeMillis() - start) / 1000.0, updates.size());
            System.out.printf("online: v0 | %s%n", before);
            FrameSmoother.Report last = before;
            for (int i = 0; i < updates.size(); i++) {
                if (i % 20 == 19 || i == updates.size() - 1) {
                    ModelUpdate u = updates.get(i);
                    SequenceModel m = ModelUpdates.validate(backend, u).model();
                    last = FrameSmoother.evaluate(ServedFrameModel.of(backend, cnn.cnn(), m, Map.of(), "online", 1),
                            testVideos, backend);
                    System.out.printf("online: v%d at %.1f s, %.0f windows | %s%n", u.getVersion(),
                            (u.getCreatedAt().toEpochMilli() - start) / 1000.0, u.getMetrics().getOrDefault("windows", 0.0),
                            last);
                }
            }
            System.out.printf("== smoothed accuracy on test videos: offline %.4f, online (last version) %.4f: "
                    + "online/offline = %.3f (per-frame CNN %.4f; untrained smoother %.4f)%n", off.smoothedAccuracy(),
                    last.smoothedAccuracy(), last.smoothedAccuracy() / off.smoothedAccuracy(), off.perFrameAccuracy(),
                    before.smoothedAccuracy());
        }
    }

    /** Pass after pass, 16 videos at a time interleaved frame by frame (16 cameras), paced. */
    static void produce(EmbeddedKafka kafka, List<float[][]> feats, List<int[]> labels, int passes, int together)
            throws InterruptedException {
        RecordCodec<StepEvent> codec = Codecs.of(StepEvent.class, WireFormat.AVRO);
        try (var p = new KafkaProducer<>(kafka.clientProperties(), new StringSerializer(), new ByteArraySerializer())) {
            long t0 = System.nanoTime();
            int group = 0;
            for (int pass = 0; pass < passes; pass++) {
                for (int from = 0; from < feats.size(); from += together, group++) {
                    int to = Math.min(feats.size(), from + together);
                    int frames = feats.get(from).length;
                    for (int t = 0; t < frames; t++) {
                        for (int v = from; v < to; v++) {
                            List<Float> x = new ArrayList<>(feats.get(v)[t].length);
                            for (float f : feats.get(v)[t]) {
                                x.add(f);
                            }
                            String key = "video-" + v;
                            p.send(new ProducerRecord<>(STEPS, key, codec.encode(StepEvent.newBuilder().setKey(key)
                                    .setStep(t).setEventTime(Instant.now()).setFeatures(x).setLabel(labels.get(v)[t])
                                    .setEndOfSequence(t == frames - 1).build())));
                        }
                    }
                    p.flush();
                    // About one gradient (16 videos) per 250 ms checkpoint, so each is computed on a recent version.
                    long wait = t0 + (group + 1) * 300_000_000L - System.nanoTime();
                    if (wait > 0) {
                        Thread.sleep(wait / 1_000_000);
                    }
                }
            }
        }
    }
}
