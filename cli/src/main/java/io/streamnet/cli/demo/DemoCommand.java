package io.streamnet.cli.demo;

import io.streamnet.cli.dashboard.DemoDashboard;
import io.streamnet.cli.jobs.JobOptions;
import io.streamnet.local.flink.LocalFlink;
import io.streamnet.cli.progress.LossProgress;
import io.streamnet.cli.train.FrameModels;
import io.streamnet.cli.train.Models;
import io.streamnet.engine.backend.Backends;
import io.streamnet.datasets.DatasetLocator;
import io.streamnet.flink.frame.FrameJob;
import io.streamnet.flink.sequence.SequenceJob;
import io.streamnet.flink.sequence.SequenceJobConfig;
import io.streamnet.contract.PipelineTopics;
import io.streamnet.kafka.admin.TopicAdmin;
import io.streamnet.local.kafka.EmbeddedKafka;
import io.streamnet.kafka.model.ModelUpdatePublisher;
import io.streamnet.kafka.serde.RecordSerde;
import io.streamnet.kafka.tail.PredictionTailer;
import io.streamnet.rnn.cell.CellType;
import io.streamnet.rnn.data.LabelledSentence;
import io.streamnet.rnn.data.SentimentDataset;
import io.streamnet.rnn.recipe.SentimentTask;
import io.streamnet.schemas.Prediction;
import io.streamnet.schemas.PredictionKind;
import io.streamnet.serving.model.ServedSequenceModel;
import io.streamnet.serving.wire.Codecs;
import io.streamnet.serving.wire.WireFormat;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The one-command demo: an embedded Kafka broker with the pipeline topics, a sentiment model
 * (cached, else trained) and a frame model (CNN + smoother, cached, else trained), the sequence
 * inference job and the frame classification job in a local Flink cluster with its Web UI, the
 * held-out sentences replayed word by word as live conversations and cameras replaying videos of
 * Fashion-MNIST test images, and their predictions printed as they are committed, until Ctrl-C
 * (or {@code --seconds}); then everything shuts down. Every input is checked first
 * ({@link DemoPreflight}), so a missing one stops the demo at once, not after training.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Embedded Kafka + the sequence and frame jobs on a local Flink cluster (Web UI) + live "
                + "sentiment conversations and camera frames replayed from real data; prints predictions until Ctrl-C.")
public final class DemoCommand implements Callable<Integer> {
    @Option(names = "--model", description = "Sentiment checkpoint (default ~/.cache/streamnet/models/sentiment-gru.ckpt, trained if missing).")
    Path model;

    @Option(names = "--epochs", defaultValue = "6", description = "Epochs when the model must be trained (default ${DEFAULT-VALUE}).")
    int epochs;

    @Option(names = "--rate", defaultValue = "40", description = "Replayed words per second (default ${DEFAULT-VALUE}).")
    double rate;

    @Option(names = "--conversations", defaultValue = "8", description = "Conversations typed at once (default ${DEFAULT-VALUE}).")
    int concurrent;

    @Option(names = "--web-port", defaultValue = "8081", description = "Flink Web UI port on 127.0.0.1 (0: any free one; default ${DEFAULT-VALUE}).")
    int webPort;

    @Option(names = "--seconds", defaultValue = "0", description = "Stop after this long (0: run until Ctrl-C).")
    long seconds;

    @Option(names = "--rolling", description = "Also print the rolling score after every word (the dashboard charts it either way).")
    boolean rolling;

    @Option(names = "--cameras", defaultValue = "3", description = "Cameras streaming Fashion-MNIST frames (0: no frames; default ${DEFAULT-VALUE}).")
    int cameras;

    @Option(names = "--fps", defaultValue = "1", description = "Frames per second per camera (default ${DEFAULT-VALUE}).")
    double fps;

    @Option(names = "--frames-model", description = "Frame model: CNN + smoother (default ~/.cache/streamnet/models/frames.ckpt, made if missing).")
    Path framesModel;

    @Option(names = "--cnn-epochs", defaultValue = "3", description = "LeNet-5 epochs when no CNN is cached (default ${DEFAULT-VALUE}).")
    int cnnEpochs;

    @Option(names = "--dashboard-port", defaultValue = "8090", description = "The live dashboard's port on 127.0.0.1 (0: any free one; default ${DEFAULT-VALUE}).")
    int dashboardPort;

    @Option(names = "--metrics-port", defaultValue = "9249", description = "Prometheus metrics port on 127.0.0.1 (0: any free one, -1: off; default ${DEFAULT-VALUE}).")
    int metricsPort;

    @Option(names = "--learn", description = "The stream learns sentiment from scratch: an untrained model, the "
            + "training job on the training split's conversations, the inference job on the test split picking up each version.")
    boolean learn;

    @Option(names = "--passes", defaultValue = "10", description = "With --learn: passes over the training split (default ${DEFAULT-VALUE}).")
    int passes;

    @Option(names = "--train-rate", defaultValue = "2000", description = "With --learn: training words per second (default ${DEFAULT-VALUE}).")
    double trainRate;

    /** Where the preflight finds the datasets; tests set their own. */
    DemoPreflight.Sources sources = DemoPreflight.Sources.standard();

    @Override
    public Integer call() throws Exception {
        if (learn) {
            if (passes < 1 || !(trainRate > 0) || !(rate > 0)) {
                System.err.println("--passes, --train-rate and --rate must be positive");
                return 2;
            }
            DemoPreflight inputs = preflight(new DemoPreflight(sources).sentiment());
            return inputs == null ? 2 : new LearningDemo(inputs.sentences(), passes, trainRate, Math.max(rate, 400),
                    webPort, dashboardPort, metricsPort, seconds).run();
        }
        if (rate <= 0 || concurrent < 1 || epochs < 1 || cameras < 0 || !(fps > 0) || cnnEpochs < 1) {
            System.err.println("--rate, --conversations, --epochs, --fps and --cnn-epochs must be positive, --cameras >= 0");
            return 2;
        }
        Path ckpt = model != null ? model : Models.defaultPath("sentiment-gru.ckpt");
        Path framesPath = framesModel != null ? framesModel : Models.defaultPath("frames.ckpt");
        Path cnnPath = Models.defaultPath("lenet5.ckpt");
        DemoPreflight check = new DemoPreflight(sources).sentiment().modelFile("sentiment model (--model)", ckpt);
        if (cameras > 0) {
            check.fashionMnist("the cameras' frames; --cameras 0 runs without them")
                    .modelFile("frame model (--frames-model)", framesPath);
            if (!Files.isRegularFile(framesPath)) {
                check.modelFile("LeNet-5 for the frame model", cnnPath);
            }
        }
        DemoPreflight inputs = preflight(check);
        if (inputs == null) {
            return 2;
        }
        ServedSequenceModel serving = sentimentModel(ckpt, inputs.sentimentDir());
        FrameDemo frames = cameras == 0 ? null : new FrameDemo(FrameModels.cachedOrTrained(framesPath, cnnPath,
                cnnEpochs, Backends.get()), cameras, fps, DatasetLocator.standard(inputs.fashionMnistDir()));
        List<LabelledSentence> heldOut = SentimentDataset.split(inputs.sentences(), 0.7, 0.15,
                SentimentTask.SPLIT_SEED).test();

        AtomicBoolean stop = new AtomicBoolean();
        Thread main = Thread.currentThread();
        Thread hook = new Thread(() -> {
            stop.set(true);
            try {
                main.join(30_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        Runtime.getRuntime().addShutdownHook(hook);

        System.out.println("starting Kafka (KRaft, 127.0.0.1) ...");
        try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
            try (Admin admin = Admin.create(kafka.clientProperties())) {
                new TopicAdmin(admin).ensure(PipelineTopics.all(2, (short) 1));
            }
            DemoDashboard dashboard = DemoDashboard.start(kafka, dashboardPort);
            System.out.println("dashboard: " + dashboard.url());
            // The model also goes to model-updates, where `streamnet publish-model` puts newer versions.
            ModelUpdatePublisher.publish(kafka.clientProperties(), PipelineTopics.MODEL_UPDATES, serving, Map.of());
            if (frames != null) {
                ModelUpdatePublisher.publish(kafka.clientProperties(), PipelineTopics.MODEL_UPDATES,
                        frames.model(), Map.of());
            }

            JobOptions o = JobOptions.forDemo(kafka.bootstrapServers(), "streamnet-demo", 2);
            o.mode = "rolling"; // a score after every word for the dashboard's chart, and the final one at the end
            SequenceJobConfig c = o.config(serving);

            StreamExecutionEnvironment env = LocalFlink.withWebUi(webPort, 2, metricsPort);
            SequenceJob.build(env, c, serving);
            if (frames != null) {
                frames.build(env, kafka.bootstrapServers(), c.checkpointDir);
            }
            JobClient job = env.executeAsync(frames == null ? SequenceJob.NAME
                    : "streamnet demo: " + SequenceJob.NAME + " + " + FrameJob.NAME);
            System.out.printf("%nKafka:   --bootstrap %s  (topics %s)%n", kafka.bootstrapServers(),
                    PipelineTopics.all(2, (short) 1).stream().map(t -> t.name()).toList());
            System.out.printf("Flink:   job %s, Web UI http://127.0.0.1:%s%n", job.getJobID(),
                    webPort == 0 ? "(see the log above)" : Integer.toString(webPort));
            String metrics = LocalFlink.metricsUrl();
            dashboard.watchJob(metrics);
            if (metrics != null) {
                System.out.println("metrics: " + metrics + " (Prometheus)");
            }
            System.out.printf("model:   %s, %s, exactly-once; predictions appear at each checkpoint (1 s)%n", serving,
                    c.mode);
            if (frames != null) {
                System.out.println("frames:  " + frames.describe() + "; FRAME per frame, SMOOTHED from each camera's frames so far");
            }
            System.out.printf("feed it: echo '{\"key\":\"me\",\"seq\":0,\"eventTime\":0,\"text\":\"great phone\","
                    + "\"endOfSequence\":true}' | kcat -P -b %s -t text-events -k me%n", kafka.bootstrapServers());
            System.out.printf("read it: kcat -C -b %s -t predictions -X isolation.level=read_committed%n%n",
                    kafka.bootstrapServers());

            AtomicLong replayed = new AtomicLong();
            Thread replay = new Thread(() -> replayForever(kafka, heldOut, stop, replayed), "demo-replay");
            replay.setDaemon(true);
            replay.start();
            Thread frameReplay = null;
            if (frames != null) {
                frameReplay = new Thread(() -> frames.replayForever(kafka, stop), "demo-frames");
                frameReplay.setDaemon(true);
                frameReplay.start();
            }

            long deadline = seconds > 0 ? System.currentTimeMillis() + seconds * 1000 : Long.MAX_VALUE;
            Properties client = kafka.clientProperties();
            client.put(ConsumerConfig.GROUP_ID_CONFIG, "streamnet-demo-tail");
            PredictionTailer tailer = new PredictionTailer(client, PipelineTopics.PREDICTIONS,
                    new RecordSerde<>(Codecs.of(Prediction.class, WireFormat.JSON)));
            long[] lastSummary = {System.currentTimeMillis()};
            var stats = tailer.run(true, () -> stop.get() || System.currentTimeMillis() > deadline
                    || job.getJobStatus().join().isGloballyTerminalState(), p -> {
                        if ((frames == null || !frames.print(p)) && (rolling || p.getKind() != PredictionKind.ROLLING)) {
                            print(p);
                        }
                        long now = System.currentTimeMillis();
                        if (now - lastSummary[0] > 10_000) {
                            lastSummary[0] = now;
                            System.out.println("-- " + tailer.stats().summary() + ", " + replayed.get() + " words sent"
                                    + (frames == null ? "" : "; " + frames.summary()));
                        }
                    });
            stop.set(true);
            System.out.println("== " + stats.summary() + ", " + replayed.get() + " words sent"
                    + (frames == null ? "" : "; " + frames.summary()));
            System.out.println("== " + dashboard.summary());
            System.out.println("stopping the job, Flink and Kafka ...");
            try {
                job.cancel().get();
            } catch (Exception e) {
                System.err.println("job: " + e.getMessage());
            }
            replay.join(5_000);
            if (frameReplay != null) {
                frameReplay.join(5_000);
            }
            dashboard.close();
        } finally {
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException e) {
                // already shutting down
            }
        }
        System.out.println("stopped.");
        return 0;
    }

    /** The checked inputs, or null after printing what is missing; the ports are checked here for both demos. */
    private DemoPreflight preflight(DemoPreflight check) {
        long t0 = System.nanoTime();
        check.port("--web-port", webPort).port("--dashboard-port", dashboardPort).port("--metrics-port", metricsPort);
        try {
            check.verify();
        } catch (DemoPreflight.InputsMissing e) {
            System.err.println(e.getMessage());
            return null;
        }
        System.out.printf(Locale.ROOT, "inputs checked in %d ms: %d sentiment sentences from %s%s%n",
                (System.nanoTime() - t0) / 1_000_000, check.sentences().size(), check.sentimentDir(),
                check.fashionMnistDir() == null ? "" : ", Fashion-MNIST from " + check.fashionMnistDir());
        return check;
    }

    private ServedSequenceModel sentimentModel(Path ckpt, Path sentimentDir) throws Exception {
        if (!Files.isRegularFile(ckpt)) {
            System.out.printf("no sentiment model at %s: training one (GRU, %d epochs) ...%n", ckpt, epochs);
            SentimentTask.Result r;
            try (LossProgress progress = new LossProgress("sentiment", epochs)) {
                r = SentimentTask.train(Backends.get(), sentimentDir,
                        new SentimentTask.Options(CellType.GRU, 32, 64, 1, 0f, epochs, 32, 3e-3f, 4000, 3),
                        progress::update);
            }
            System.out.printf("trained in %.1f s: validation accuracy %.4f, test accuracy %.4f%n", r.seconds(),
                    r.validationAccuracy(), r.testAccuracy());
            Files.createDirectories(ckpt.toAbsolutePath().getParent());
            r.save(ckpt);
        }
        ServedSequenceModel m = ServedSequenceModel.load(Backends.get(), Files.readAllBytes(ckpt), null, -1);
        if (!m.model().config().tokenInput() || m.model().config().outputSize() != 2) {
            throw new IllegalArgumentException(ckpt + " is not a sentiment model (token input, 2 classes)");
        }
        System.out.println("model: " + ckpt + " (" + m + ")");
        return m;
    }

    /** Held-out sentences as conversations, word by word, round after round until stopped. */
    private void replayForever(EmbeddedKafka kafka, List<LabelledSentence> sentences, AtomicBoolean stop,
                               AtomicLong sent) {
        try {
            for (int round = 0; !stop.get(); round++) {
                // A new conversation id each round.
                ConversationReplay.pass(kafka, PipelineTopics.TEXT_EVENTS, sentences, concurrent, "r" + round + "-",
                        rate, stop, n -> sent.incrementAndGet());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            if (!stop.get()) {
                System.err.println("replay stopped: " + e.getMessage());
            }
        }
    }

    private static void print(Prediction p) {
        String[] names = {"negative", "positive"};
        int label = p.getLabel();
        float conf = label >= 0 && label < p.getProbabilities().size() ? p.getProbabilities().get(label) : Float.NaN;
        String truth = p.getTrueLabel() == null ? "" : p.getTrueLabel() == label ? "  ok" : "  (was "
                + names[p.getTrueLabel()] + ")";
        System.out.printf("%-14s %-11s after %2d words: %-8s %.2f  model %s v%d  %4d ms%s%n", p.getKey(), p.getKind(),
                p.getStep() + 1, label >= 0 && label < 2 ? names[label] : "?", conf, p.getModelId(),
                p.getModelVersion(), p.getLatencyMs(), truth);
    }
}
