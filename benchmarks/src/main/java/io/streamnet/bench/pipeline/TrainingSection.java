package io.streamnet.bench.pipeline;

import io.streamnet.bench.report.Interleaved;
import io.streamnet.bench.report.Plots;
import io.streamnet.bench.report.Section;
import io.streamnet.bench.report.Stats;
import io.streamnet.engine.backend.Backends;
import io.streamnet.engine.checkpoint.Checkpoints;
import io.streamnet.contract.PipelineTopics;
import io.streamnet.kafka.admin.TopicAdmin;
import io.streamnet.contract.TopicSpec;
import io.streamnet.local.kafka.EmbeddedKafka;
import io.streamnet.rnn.cell.CellType;
import io.streamnet.rnn.data.LabelledSentence;
import io.streamnet.rnn.data.SentimentDataset;
import io.streamnet.rnn.model.ModelConfig;
import io.streamnet.rnn.model.OutputType;
import io.streamnet.rnn.model.RnnCheckpoints;
import io.streamnet.rnn.model.SequenceModel;
import io.streamnet.rnn.recipe.SentimentTask;
import io.streamnet.rnn.text.Vocabulary;
import io.streamnet.rnn.train.SequenceClassification;
import io.streamnet.rnn.train.SequenceTrainer;
import io.streamnet.schemas.ModelUpdate;
import io.streamnet.serving.model.ModelUpdates;
import io.streamnet.serving.model.ServedModel;
import io.streamnet.serving.model.ServedSequenceModel;
import io.streamnet.serving.sequence.OutputMode;
import io.streamnet.serving.wire.Codecs;
import io.streamnet.serving.wire.RecordCodec;
import io.streamnet.serving.wire.WireFormat;
import io.streamnet.flink.sequence.SequenceJob;
import io.streamnet.flink.sequence.SequenceJobConfig;
import io.streamnet.flink.training.SequenceTrainingJob;
import io.streamnet.flink.training.TrainingJobConfig;
import io.streamnet.schemas.Prediction;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Section 5: online training. The UCI sentiment training split as labelled conversations (one
 * TextEvent per word, repeated with fresh keys), worked through by the inference job and by the
 * training job alternately (interleaved passes, events/s over each bounded job's net runtime); then
 * every model version the last training pass published, scored on the held-out test split (never
 * streamed), against the untrained version 0.
 */
public final class TrainingSection implements Section {
    @Override
    public String name() {
        return "training";
    }

    @Override
    public void run(Context ctx) throws Exception {
        int repeats = ctx.quick() ? 1 : 4;
        int passes = ctx.quick() ? 1 : 3;
        SentimentDataset.Split split = SentimentDataset.split(SentimentDataset.loadAll(SentimentDataset.locate()), 0.8,
                0.1, SentimentTask.SPLIT_SEED);
        List<LabelledSentence> train = ctx.quick() ? split.train().subList(0, 200) : split.train();
        Vocabulary vocab = Vocabulary.words(train.stream().map(LabelledSentence::text).toList(), 4000, 1);
        SequenceModel model = new SequenceModel(Backends.get(), ModelConfig.tokens(CellType.GRU, vocab.size(), 32, 64, 1,
                0f, 2, OutputType.MANY_TO_ONE), 3);
        byte[] bytes = Checkpoints.toBytes(RnnCheckpoints.toCheckpoint(model, vocab, Map.of(ServedModel.META_ID,
                "bench-sentiment", ServedModel.META_VERSION, "0")));
        ServedSequenceModel served = ServedSequenceModel.load(Backends.get(), bytes, "bench-sentiment", 0);
        Interleaved.Samples s;
        List<ModelUpdate> versions;
        long[] delays;
        long events;
        int[] round = {0};
        try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
            try (Admin admin = Admin.create(kafka.clientProperties())) {
                new TopicAdmin(admin).ensure(PipelineTopics.all(2, (short) 1));
                List<TopicSpec> more = new ArrayList<>();
                for (int r = 0; r <= 2 * (passes + 1); r++) {
                    more.add(new TopicSpec("bench-predictions-" + r, 2, (short) 1, Map.of()));
                    more.add(new TopicSpec("bench-model-updates-" + r, 1, (short) 1, Map.of("max.message.bytes",
                            Integer.toString(64 << 20))));
                }
                new TopicAdmin(admin).ensure(more);
            }
            events = TrainingPipelineBenchmark.produce(kafka, train, repeats);
            ctx.log().accept(String.format(Locale.ROOT, "training: %,d word events (%d sentences x %d), GRU 32/64 over "
                    + "%d words", events, train.size(), repeats, vocab.size()));
            long n = events;
            Interleaved.Pass inference = i -> rate(n, TrainingPipelineBenchmark.runInference(kafka, served, round[0]++)
                    .getNetRuntime());
            Interleaved.Pass training = i -> rate(n, TrainingPipelineBenchmark.runTraining(kafka, served, round[0]++)
                    .getNetRuntime());
            if (!ctx.quick()) {
                inference.run(-1);
                training.run(-1);
            }
            s = Interleaved.run(List.of(new Interleaved.Contender("inference job", inference),
                    new Interleaved.Contender("training job", training)), passes, l -> ctx.log().accept("training " + l));
            versions = updates(kafka, "bench-model-updates-" + (round[0] - 1));
            delays = liveDelays(kafka, served, train, ctx.quick() ? 10 : 60, ctx.log());
        }
        List<int[]> seqs = new ArrayList<>();
        int[] labels = new int[split.test().size()];
        for (int i = 0; i < labels.length; i++) {
            seqs.add(vocab.encode(split.test().get(i).text()));
            labels[i] = split.test().get(i).label();
        }
        List<double[]> curve = new ArrayList<>();
        curve.add(new double[] {0, SequenceClassification.accuracy(new SequenceTrainer(model, null, 0f, 0), seqs, labels,
                64)});
        for (ModelUpdate u : versions) {
            SequenceModel m = ModelUpdates.validate(Backends.get(), u).model();
            curve.add(new double[] {u.getVersion(), SequenceClassification.accuracy(new SequenceTrainer(m, null, 0f, 0),
                    seqs, labels, 64)});
        }
        double[] last = curve.get(curve.size() - 1);
        double best = curve.stream().mapToDouble(p -> p[1]).max().orElse(0);
        List<Double> ratio = s.ratios("training job", "inference job");
        List<List<String>> rows = new ArrayList<>();
        for (String p : List.of("inference job", "training job")) {
            rows.add(List.of(p, ctx.label(String.format(Locale.ROOT, "%,.0f", s.median(p))), Stats.spread(s.of(p), "%,.0f"),
                    p.startsWith("training") ? String.format(Locale.ROOT, "%.2f (%s)", Stats.median(ratio),
                            Stats.spread(ratio, "%.2f")) : "1"));
        }
        rows.forEach(r -> ctx.log().accept(String.join("  ", r)));
        String accuracy = String.format(Locale.ROOT, "Held-out accuracy (test split, %d sentences, never streamed): "
                + "version 0 (untrained) %.3f; the last of %d published versions (v%d) %.3f; the best %.3f.",
                labels.length, curve.get(0)[1], versions.size(), (long) last[0], last[1], best);
        ctx.log().accept(accuracy);
        String delay = delays.length == 0 ? "Gradient-to-serving delay: no published version was served in the live run."
                : String.format(Locale.ROOT, "Gradient-to-serving delay, live (both jobs running on a stream of %d "
                + "events/s, checkpoints every %d s): from the model owner publishing a version (its createdAt) to the "
                + "inference job's first prediction made by it (broker append time), over %d versions: median %s ms, "
                + "max %s ms.", LIVE_RATE, CHECKPOINT_SECONDS, delays.length, ctx.label(Long.toString(
                        Stats.quantile(delays, 0.5))), Long.toString(delays[delays.length - 1]));
        ctx.log().accept(delay);
        Map<String, double[][]> series = new LinkedHashMap<>();
        series.put("test accuracy", curve.toArray(new double[0][]));
        Plots.lines(ctx.plotDir().resolve("training-accuracy.png"), "held-out accuracy per published model version",
                "model version", "test accuracy", series, false);
        if (ctx.report() != null) {
            ctx.report().heading(2, "5. Online training")
                    .paragraph(String.format(Locale.ROOT, "The UCI sentiment training split (%d sentences, split seed %d) "
                            + "as labelled conversations, one TextEvent per word, %d times with fresh keys: %,d events. "
                            + "The inference job (MANY_TO_ONE, batches of 64) and the training job (TBPTT windows, 32 "
                            + "sequences per gradient, a version published every 4) each work through the whole backlog "
                            + "as a bounded job, interleaved, %d passes after one unmeasured pass each; events/s over "
                            + "each job's net runtime. Same GRU 32/64, parallelism 2, exactly-once sinks.", train.size(),
                            SentimentTask.SPLIT_SEED, repeats, events, passes))
                    .table(List.of("job", "events/s (median)", "spread", "training / inference"), rows)
                    .paragraph(accuracy)
                    .paragraph(delay)
                    .image("held-out accuracy per version", "training-accuracy.png");
        }
    }

    static final int LIVE_RATE = 400;
    static final int CHECKPOINT_SECONDS = 2;

    /**
     * Both jobs live on one paced stream of conversations: the training job publishes versions to a
     * model-updates topic that the inference job follows. Per served version, the delay (ms) from
     * its publication to the first prediction made by it; sorted.
     */
    private static long[] liveDelays(EmbeddedKafka kafka, ServedSequenceModel served, List<LabelledSentence> train,
                                     int seconds, java.util.function.Consumer<String> log) throws Exception {
        String input = "bench-live-text";
        String updates = "bench-live-model-updates";
        String predictions = "bench-live-predictions";
        try (Admin admin = Admin.create(kafka.clientProperties())) {
            new TopicAdmin(admin).ensure(List.of(new TopicSpec(input, 2, (short) 1, Map.of()),
                    new TopicSpec(updates, 1, (short) 1, Map.of("max.message.bytes", Integer.toString(64 << 20))),
                    new TopicSpec(predictions, 2, (short) 1, PipelineBenchmark.APPEND_TIME)));
        }
        TrainingJobConfig t = TrainingPipelineBenchmark.common(TrainingJobConfig.builder(), kafka, "bench-live-train")
                .inputTopic(input)
                .bounded(false)
                .modelUpdatesTopic(updates)
                .checkpointInterval(Duration.ofSeconds(CHECKPOINT_SECONDS))
                .build();
        SequenceJobConfig i = TrainingPipelineBenchmark.common(SequenceJobConfig.builder(), kafka, "bench-live-infer")
                .inputTopic(input)
                .bounded(false)
                .mode(OutputMode.MANY_TO_ONE)
                .followModelUpdates(true)
                .modelUpdatesTopic(updates)
                .predictionsTopic(predictions)
                .checkpointInterval(Duration.ofSeconds(CHECKPOINT_SECONDS))
                .build();
        StreamExecutionEnvironment te = PipelineBenchmark.env();
        SequenceTrainingJob.build(te, t, served);
        StreamExecutionEnvironment ie = PipelineBenchmark.env();
        SequenceJob.build(ie, i, served);
        JobClient training = te.executeAsync("bench live training");
        JobClient inference = ie.executeAsync("bench live inference");
        try {
            long n = TrainingPipelineBenchmark.produce(kafka, input, train, 1_000, "live", LIVE_RATE,
                    (long) LIVE_RATE * seconds);
            log.accept(String.format(Locale.ROOT, "training live: %,d events at %d/s into both jobs", n, LIVE_RATE));
            // the last versions reach serving after the training job's next commit and the inference job's read
            Thread.sleep(3L * CHECKPOINT_SECONDS * 1000);
        } finally {
            training.cancel().get();
            inference.cancel().get();
        }
        Map<Long, Long> firstServed = new java.util.TreeMap<>(); // version -> first append time
        RecordCodec<Prediction> codec = Codecs.of(Prediction.class, WireFormat.AVRO);
        for (var r : readAll(kafka, predictions)) {
            firstServed.merge(codec.decode(r.value()).getModelVersion(), r.timestamp(), Math::min);
        }
        List<Long> out = new ArrayList<>();
        for (ModelUpdate u : updates(kafka, updates)) {
            // a version replaced before any prediction used it is served first through a later one
            Long first = firstServed.entrySet().stream().filter(e -> e.getKey() >= u.getVersion())
                    .map(Map.Entry::getValue).min(Long::compare).orElse(null);
            if (first != null) {
                out.add(first - u.getCreatedAt().toEpochMilli());
            }
        }
        log.accept(String.format(Locale.ROOT, "training live: %d versions served, predictions by version %s", out.size(),
                firstServed.keySet()));
        return out.stream().mapToLong(Long::longValue).sorted().toArray();
    }

    private static double rate(long events, long netRuntimeMillis) {
        return events / (netRuntimeMillis / 1000.0);
    }

    /** Every model update in {@code topic}, in version order. */
    private static List<ModelUpdate> updates(EmbeddedKafka kafka, String topic) {
        List<ModelUpdate> out = new ArrayList<>();
        for (var r : readAll(kafka, topic)) {
            out.add(ModelUpdates.codec(ModelUpdates.DEFAULT_MAX_BYTES).decode(r.value()));
        }
        out.sort(Comparator.comparingLong(ModelUpdate::getVersion));
        return out;
    }

    /** Every committed record of {@code topic}, read up to each partition's end (its writers have stopped). */
    private static List<ConsumerRecord<byte[], byte[]>> readAll(EmbeddedKafka kafka, String topic) {
        Properties cp = kafka.clientProperties();
        cp.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        cp.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        cp.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, Integer.toString(64 << 20));
        List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
        try (var c = new KafkaConsumer<>(cp, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> parts = c.partitionsFor(topic).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
            c.assign(parts);
            c.seekToBeginning(parts);
            Map<TopicPartition, Long> end = c.endOffsets(parts);
            long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
            while (parts.stream().anyMatch(p -> c.position(p) < end.get(p))) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("records of " + topic + " not read in 2 minutes");
                }
                c.poll(Duration.ofMillis(200)).forEach(out::add);
            }
        }
        return out;
    }
}
