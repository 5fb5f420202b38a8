package io.streamnet.demo;

import io.streamnet.contract.PipelineTopics;
import io.streamnet.datasets.DatasetLocator;
import io.streamnet.demo.train.FrameModels;
import io.streamnet.demo.train.SentimentModels;
import io.streamnet.engine.backend.Backends;
import io.streamnet.flink.frame.FrameJob;
import io.streamnet.flink.sequence.SequenceJob;
import io.streamnet.flink.sequence.SequenceJobConfig;
import io.streamnet.kafka.admin.TopicAdmin;
import io.streamnet.kafka.model.ModelUpdatePublisher;
import io.streamnet.kafka.serde.RecordSerde;
import io.streamnet.kafka.tail.PredictionTailer;
import io.streamnet.local.flink.LocalFlink;
import io.streamnet.local.kafka.EmbeddedKafka;
import io.streamnet.rnn.data.LabelledSentence;
import io.streamnet.rnn.data.SentimentDataset;
import io.streamnet.rnn.recipe.SentimentTask;
import io.streamnet.schemas.Prediction;
import io.streamnet.schemas.PredictionKind;
import io.streamnet.serving.model.ServedSequenceModel;
import io.streamnet.serving.sequence.OutputMode;
import io.streamnet.serving.wire.Codecs;
import io.streamnet.serving.wire.WireFormat;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;

/**
 * The demo that serves: an embedded Kafka broker with the pipeline topics, a sentiment model
 * (cached, else trained) and a frame model (CNN + smoother, cached, else trained), the sequence
 * inference job and the frame classification job in a local Flink cluster with its Web UI, the
 * held-out sentences replayed word by word as live conversations and cameras replaying videos of
 * Fashion-MNIST test images, and their predictions printed as they are committed, until stopped
 * (Ctrl-C, or {@link DemoSettings#seconds()}); then everything shuts down.
 */
final class ServingDemo {
    private final DemoSettings s;
    private final DemoPreflight inputs;

    /** {@code inputs}: the preflight that passed, with the sentences and datasets it found. */
    ServingDemo(DemoSettings settings, DemoPreflight inputs) {
        this.s = settings;
        this.inputs = inputs;
    }

    int run() throws Exception {
        ServedSequenceModel serving = SentimentModels.cachedOrTrained(s.model(), inputs.sentimentDir(), s.epochs());
        FrameDemo frames = s.cameras() == 0 ? null : new FrameDemo(FrameModels.cachedOrTrained(s.framesModel(),
                s.cnnModel(), s.cnnEpochs(), Backends.get()), s.cameras(), s.fps(),
                DatasetLocator.standard(inputs.fashionMnistDir()));
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
            DemoDashboard dashboard = DemoDashboard.start(kafka, s.dashboardPort());
            System.out.println("dashboard: " + dashboard.url());
            // The model also goes to model-updates, where `streamnet publish-model` puts newer versions.
            ModelUpdatePublisher.publish(kafka.clientProperties(), PipelineTopics.MODEL_UPDATES, serving, Map.of());
            if (frames != null) {
                ModelUpdatePublisher.publish(kafka.clientProperties(), PipelineTopics.MODEL_UPDATES,
                        frames.model(), Map.of());
            }

            // a score after every word for the dashboard's chart, and the final one at the end
            SequenceJobConfig c = DemoJobs.sequence(kafka.bootstrapServers(), "streamnet-demo", 2)
                    .mode(OutputMode.ROLLING).build();

            StreamExecutionEnvironment env = LocalFlink.withWebUi(s.webPort(), 2, s.metricsPort());
            SequenceJob.build(env, c, serving);
            if (frames != null) {
                frames.build(env, kafka.bootstrapServers(), c.recovery().checkpointDir());
            }
            JobClient job = env.executeAsync(frames == null ? SequenceJob.NAME
                    : "streamnet demo: " + SequenceJob.NAME + " + " + FrameJob.NAME);
            System.out.printf("%nKafka:   --bootstrap %s  (topics %s)%n", kafka.bootstrapServers(),
                    PipelineTopics.all(2, (short) 1).stream().map(t -> t.name()).toList());
            System.out.printf("Flink:   job %s, Web UI http://127.0.0.1:%s%n", job.getJobID(),
                    s.webPort() == 0 ? "(see the log above)" : Integer.toString(s.webPort()));
            String metrics = LocalFlink.metricsUrl();
            dashboard.watchJob(metrics);
            if (metrics != null) {
                System.out.println("metrics: " + metrics + " (Prometheus)");
            }
            System.out.printf("model:   %s, %s, exactly-once; predictions appear at each checkpoint (1 s)%n", serving,
                    c.mode());
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

            long deadline = s.seconds() > 0 ? System.currentTimeMillis() + s.seconds() * 1000 : Long.MAX_VALUE;
            Properties client = kafka.clientProperties();
            client.put(ConsumerConfig.GROUP_ID_CONFIG, "streamnet-demo-tail");
            PredictionTailer tailer = new PredictionTailer(client, PipelineTopics.PREDICTIONS,
                    new RecordSerde<>(Codecs.of(Prediction.class, WireFormat.JSON)));
            long[] lastSummary = {System.currentTimeMillis()};
            var stats = tailer.run(true, () -> stop.get() || System.currentTimeMillis() > deadline
                    || job.getJobStatus().join().isGloballyTerminalState(), p -> {
                        if ((frames == null || !frames.print(p)) && (s.rolling() || p.getKind() != PredictionKind.ROLLING)) {
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

    /** Held-out sentences as conversations, word by word, round after round until stopped. */
    private void replayForever(EmbeddedKafka kafka, List<LabelledSentence> sentences, AtomicBoolean stop,
                               AtomicLong sent) {
        try {
            for (int round = 0; !stop.get(); round++) {
                // A new conversation id each round.
                ConversationReplay.pass(kafka, PipelineTopics.TEXT_EVENTS, sentences, s.conversations(),
                        "r" + round + "-", s.rate(), stop, n -> sent.incrementAndGet());
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
