package io.streamnet.demo;

import io.streamnet.local.flink.LocalFlink;
import io.streamnet.engine.backend.Backends;
import io.streamnet.engine.checkpoint.Checkpoints;
import io.streamnet.flink.sequence.SequenceJob;
import io.streamnet.flink.sequence.SequenceJobConfig;
import io.streamnet.flink.training.SequenceTrainingJob;
import io.streamnet.flink.training.TrainingJobConfig;
import io.streamnet.contract.PipelineTopics;
import io.streamnet.kafka.admin.TopicAdmin;
import io.streamnet.local.kafka.EmbeddedKafka;
import io.streamnet.kafka.model.ModelUpdatePublisher;
import io.streamnet.rnn.cell.CellType;
import io.streamnet.rnn.data.LabelledSentence;
import io.streamnet.rnn.data.SentimentDataset;
import io.streamnet.rnn.model.ModelConfig;
import io.streamnet.rnn.model.OutputType;
import io.streamnet.rnn.model.RnnCheckpoints;
import io.streamnet.rnn.model.SequenceModel;
import io.streamnet.rnn.recipe.SentimentTask;
import io.streamnet.rnn.text.Vocabulary;
import io.streamnet.schemas.ModelUpdate;
import io.streamnet.schemas.Prediction;
import io.streamnet.serving.model.ModelUpdates;
import io.streamnet.serving.model.ServedModel;
import io.streamnet.serving.model.ServedSequenceModel;
import io.streamnet.training.HeldOutSet;
import io.streamnet.serving.wire.Codecs;
import io.streamnet.serving.wire.WireFormat;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * {@code streamnet demo --learn}: the stream learns sentiment from scratch. An untrained GRU (the
 * offline recipe's architecture and vocabulary) is version 0; the training job learns from the
 * training split's conversations, replayed pass after pass to training-events, and publishes
 * versions; the inference job serves the test split's conversations on text-events and picks each
 * version up live. Summary lines show the version moving and the accuracy of the predictions each
 * version made; at the end, a table per version (time, held-out score, streamed test accuracy,
 * the version's accuracy on the whole test split) and the gradient-to-serving delay.
 */
final class LearningDemo {
    static final String MODEL_ID = "sentiment-online";

    private final List<LabelledSentence> sentences;
    private final int passes;
    private final double trainRate;
    private final double testRate;
    private final int webPort;
    private final int dashboardPort;
    private final int metricsPort;
    private final long seconds;

    LearningDemo(List<LabelledSentence> sentences, int passes, double trainRate, double testRate, int webPort,
                 int dashboardPort, int metricsPort, long seconds) {
        this.sentences = sentences;
        this.passes = passes;
        this.trainRate = trainRate;
        this.testRate = testRate;
        this.webPort = webPort;
        this.dashboardPort = dashboardPort;
        this.metricsPort = metricsPort;
        this.seconds = seconds;
    }

    int run() throws Exception {
        SentimentDataset.Split split = SentimentDataset.split(sentences, 0.7, 0.15, SentimentTask.SPLIT_SEED);
        SentimentTask.Options o = new SentimentTask.Options(CellType.GRU, 32, 64, 1, 0f, 30, 32, 3e-3f, 4000, 3, 1e-3f);
        Vocabulary vocab = Vocabulary.words(split.train().stream().map(LabelledSentence::text).toList(),
                o.maxVocabulary(), 1);
        SequenceModel untrained = new SequenceModel(Backends.get(), ModelConfig.tokens(o.cell(), vocab.size(),
                o.embedding(), o.hidden(), o.layers(), o.dropout(), 2, OutputType.MANY_TO_ONE), o.seed());
        byte[] v0 = Checkpoints.toBytes(RnnCheckpoints.toCheckpoint(untrained, vocab, Map.of(ServedModel.META_ID,
                MODEL_ID, ServedModel.META_VERSION, "0")));
        ServedSequenceModel initial = ServedSequenceModel.load(Backends.get(), v0, MODEL_ID, 0);
        List<HeldOutSet.Example> test = split.test().stream().map(s -> new HeldOutSet.Example(vocab.encode(s.text()),
                new int[] {s.label()})).toList();
        System.out.printf("learning demo: %s from scratch (v0 scores %.3f on the %d test sentences); training on %d "
                + "sentences x %d passes at %.0f words/s, serving the test split at %.0f words/s%n", initial,
                HeldOutSet.score(untrained, test), test.size(), split.train().size(), passes, trainRate, testRate);

        AtomicBoolean stop = new AtomicBoolean();
        try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
            try (Admin admin = Admin.create(kafka.clientProperties())) {
                new TopicAdmin(admin).ensure(PipelineTopics.all(2, (short) 1));
            }
            DemoDashboard dashboard = DemoDashboard.start(kafka, dashboardPort);
            System.out.println("dashboard: " + dashboard.url());
            ModelUpdatePublisher.publish(kafka.clientProperties(), PipelineTopics.MODEL_UPDATES, initial, Map.of());

            SequenceJobConfig sc = DemoJobs.sequence(kafka.bootstrapServers(), "streamnet-demo-serve", 1)
                    .uidPrefix("serve-").build();
            TrainingJobConfig tc = DemoJobs.training(kafka.bootstrapServers(), "streamnet-demo-train", 1)
                    .gradientsPerUpdate(2)
                    .publishEvery(Duration.ofSeconds(5))
                    // Halving the rate every 150 steps (about 3 passes) settles what early stopping settles offline.
                    .decayEvery(150)
                    .decayGamma(0.5f)
                    .embeddingDropout(0.5f) // as the offline recipe
                    .uidPrefix("train-")
                    .build();

            StreamExecutionEnvironment env = LocalFlink.withWebUi(webPort, 2, metricsPort);
            SequenceJob.build(env, sc, initial);
            SequenceTrainingJob.build(env, tc, initial);
            JobClient job = env.executeAsync("streamnet demo --learn: " + SequenceJob.NAME + " + "
                    + SequenceTrainingJob.NAME);
            System.out.printf("Kafka %s; Flink job %s, Web UI http://127.0.0.1:%s%n", kafka.bootstrapServers(),
                    job.getJobID(), webPort == 0 ? "(see the log)" : Integer.toString(webPort));
            String metrics = LocalFlink.metricsUrl();
            dashboard.watchJob(metrics);
            if (metrics != null) {
                System.out.println("metrics: " + metrics + " (Prometheus)");
            }

            AtomicInteger passesDone = new AtomicInteger();
            Thread trainer = new Thread(() -> {
                for (int p = 0; p < passes && !stop.get(); p++) {
                    // The same key for a sentence in every pass: the held-out slice (by key) stays held out.
                    replay(kafka, PipelineTopics.TRAINING_EVENTS, split.train(), "", trainRate, stop);
                    passesDone.incrementAndGet();
                }
            }, "demo-train-replay");
            Thread server = new Thread(() -> {
                for (int r = 0; !stop.get(); r++) {
                    replay(kafka, PipelineTopics.TEXT_EVENTS, split.test(), "r" + r + "-", testRate, stop);
                }
            }, "demo-test-replay");
            trainer.setDaemon(true);
            server.setDaemon(true);
            long t0 = System.currentTimeMillis();
            trainer.start();
            server.start();

            LearnedVersions versions = new LearnedVersions();
            versions.of(0).committedAt = t0;
            long deadline = seconds > 0 ? t0 + seconds * 1000 : Long.MAX_VALUE;
            long trainingDoneAt = -1;
            long lastSummary = t0;
            var predictionCodec = Codecs.of(Prediction.class, WireFormat.JSON);
            try (KafkaConsumer<byte[], byte[]> preds = consumer(kafka, PipelineTopics.PREDICTIONS);
                 KafkaConsumer<byte[], byte[]> updates = consumer(kafka, PipelineTopics.MODEL_UPDATES)) {
                while (System.currentTimeMillis() < deadline) {
                    long now = System.currentTimeMillis();
                    for (var r : updates.poll(Duration.ofMillis(100))) {
                        ModelUpdate u = ModelUpdates.codec(ModelUpdates.DEFAULT_MAX_BYTES).decode(r.value());
                        if (!MODEL_ID.equals(u.getModelId().toString())) {
                            continue;
                        }
                        LearnedVersions.Stats s = versions.of(u.getVersion());
                        s.committedAt = now;
                        s.metrics = new TreeMap<>();
                        u.getMetrics().forEach((k, v) -> s.metrics.put(k.toString(), v));
                        s.testAccuracy = HeldOutSet.score(ModelUpdates.validate(Backends.get(), u).model(), test);
                    }
                    for (var r : preds.poll(Duration.ofMillis(100))) {
                        Prediction p = predictionCodec.decode(r.value());
                        LearnedVersions.Stats s = versions.of(p.getModelVersion());
                        if (s.firstServedAt == 0) {
                            s.firstServedAt = now;
                        }
                        if (p.getTrueLabel() != null) {
                            s.predictions++;
                            s.correct += p.getTrueLabel() == p.getLabel() ? 1 : 0;
                        }
                    }
                    if (now - lastSummary >= 10_000) {
                        lastSummary = now;
                        var last = versions.newest();
                        System.out.printf("-- %3d s: v%d serving; %d/%d passes sent; accuracy of its test predictions "
                                + "%s; on the whole test split %.3f; held-out score %s%n", (now - t0) / 1000,
                                last.getKey(), passesDone.get(), passes, LearnedVersions.rate(last.getValue()),
                                last.getValue().testAccuracy, LearnedVersions.fmt(last.getValue().metrics.get("score")));
                    }
                    if (passesDone.get() == passes && trainingDoneAt < 0) {
                        trainingDoneAt = now;
                    }
                    // After the last pass: until the last version has served a whole round of the test split.
                    if (trainingDoneAt > 0 && now - trainingDoneAt > 15_000
                            && versions.newest().getValue().predictions >= test.size()) {
                        break;
                    }
                    if (job.getJobStatus().join().isGloballyTerminalState()) {
                        System.err.println("the job ended: " + job.getJobStatus().join());
                        break;
                    }
                }
            }
            stop.set(true);
            versions.printTable(t0, test.size());
            job.cancel().get();
            dashboard.close();
        }
        return 0;
    }

    private static KafkaConsumer<byte[], byte[]> consumer(EmbeddedKafka kafka, String topic) {
        Properties p = kafka.clientProperties();
        p.put(ConsumerConfig.GROUP_ID_CONFIG, "demo-learn-" + topic + "-" + System.nanoTime());
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, Integer.toString(64 << 20));
        KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        c.subscribe(List.of(topic));
        return c;
    }

    /** One pass over {@code sentences} as conversations (keys prefixed), word by word at {@code rate}. */
    private static void replay(EmbeddedKafka kafka, String topic, List<LabelledSentence> sentences, String prefix,
                               double rate, AtomicBoolean stop) {
        try {
            ConversationReplay.pass(kafka, topic, sentences, 16, prefix, rate, stop, n -> { });
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            if (!stop.get()) {
                System.err.println("replay stopped: " + e.getMessage());
            }
        }
    }

}
