package io.streamnet.bench.pipeline;

import io.streamnet.engine.backend.Backends;
import io.streamnet.engine.checkpoint.Checkpoints;
import io.streamnet.flink.sequence.SequenceJob;
import io.streamnet.flink.sequence.SequenceJobConfig;
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
import io.streamnet.schemas.Prediction;
import io.streamnet.schemas.StepEvent;
import io.streamnet.serving.model.ServedSequenceModel;
import io.streamnet.serving.sequence.OutputMode;
import io.streamnet.serving.wire.Codecs;
import io.streamnet.serving.wire.RecordCodec;
import io.streamnet.serving.wire.WireFormat;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The end-to-end pipeline benchmark: a real broker (its own JVM) and the sequence job in a local
 * Flink cluster, 10k keys of StepEvents, one prediction per event (MANY_TO_MANY). For each model
 * (vanilla RNN H=128, LSTM H=256) it runs (a) the identity pipeline (same source, decode, keyBy,
 * sink; no model), (b) the job with batches, (c) the job with batch size 1 (per-record inference).
 *
 * <p>Throughput: the whole backlog read as fast as the job can (bounded job; events/s over the
 * job's net runtime, so cluster start is not counted). Latency: the same job live, fed at a fixed
 * rate; p50/p99 of each prediction's latency (emission time minus the input's Kafka timestamp).
 */
public final class PipelineBenchmark {
    public static final int KEYS = 10_000;
    public static final int FEATURES = 32;
    public static final int CLASSES = 4;
    /**
     * Output records stamped by the broker when written: the sink would otherwise carry the input's
     * timestamp through (the identity pipeline's outputs would then measure the producer).
     */
    static final Map<String, String> APPEND_TIME = Map.of("message.timestamp.type", "LogAppendTime");

    private final int events;
    private final int liveRate;
    private final int liveSeconds;
    private final int batch;
    private final int parallelism;

    private CellType[] cells = {CellType.RNN, CellType.LSTM};

    public PipelineBenchmark(boolean quick) {
        this.events = quick ? 100_000 : 500_000;
        this.liveRate = 2_000;
        this.liveSeconds = quick ? 6 : 15;
        this.batch = 256;
        this.parallelism = 2;
    }

    record Row(String model, String pipeline, double eventsPerSecond, long p50, long p99, long latencySamples) {
    }

    public static void main(String[] args) throws Exception {
        PipelineBenchmark b = new PipelineBenchmark(Arrays.asList(args).contains("--quick"));
        if (Arrays.asList(args).contains("--rnn-only")) {
            b.cells = new CellType[] {CellType.RNN};
        }
        b.run();
    }

    public void run() throws Exception {
        List<Row> rows = new ArrayList<>();
        try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
            try (Admin admin = Admin.create(kafka.clientProperties())) {
                new TopicAdmin(admin).ensure(PipelineTopics.all(parallelism, (short) 1));
            }
            long t0 = System.nanoTime();
            produce(kafka, PipelineTopics.STEP_EVENTS, events, 0, 0);
            System.out.printf("produced %,d events over %,d keys in %.1f s%n", events, KEYS, (System.nanoTime() - t0) / 1e9);
            int run = 0;
            // Warm-up before anything is measured: one pass of each pipeline (an RNN for the model
            // runs), so that the first measured pipeline does not pay for the JVM's cold start.
            SequenceModel warm = new SequenceModel(Backends.get(), ModelConfig.features(CellType.LSTM, FEATURES, 64, 1,
                    0f, CLASSES, Task.CLASSIFICATION, OutputType.MANY_TO_MANY), 1);
            ServedSequenceModel warmServing = ServedSequenceModel.load(Backends.get(),
                    Checkpoints.toBytes(RnnCheckpoints.toCheckpoint(warm, null, Map.of())), "warm-up", 1);
            for (String pipeline : new String[] {"identity", "batch " + batch, "batch 1"}) {
                SequenceJobConfig w = config(kafka, pipeline, "bench-warmup-" + (++run));
                System.out.printf("warm-up %-12s %,10.0f events/s%n", pipeline,
                        throughput(kafka, w, job(pipeline, warmServing)));
            }
            for (CellType cell : cells) {
                int hidden = cell == CellType.RNN ? 128 : 256;
                SequenceModel m = new SequenceModel(Backends.get(), ModelConfig.features(cell, FEATURES, hidden, 1, 0f,
                        CLASSES, Task.CLASSIFICATION, OutputType.MANY_TO_MANY), 1);
                byte[] bytes = Checkpoints.toBytes(RnnCheckpoints.toCheckpoint(m, null, Map.of()));
                ServedSequenceModel serving = ServedSequenceModel.load(Backends.get(), bytes, "bench-" + cell.name().toLowerCase(), 1);
                String name = cell.name().toLowerCase() + " H=" + hidden;
                for (String pipeline : new String[] {"identity", "batch " + batch, "batch 1"}) {
                    run++;
                    SequenceJobConfig c = config(kafka, pipeline, "bench-" + run);
                    // Median of three passes over the backlog: the first also warms the JIT (every pass gets a
                    // fresh local cluster in this same JVM), and one pass is only seconds long on 2 cores.
                    double[] passes = new double[3];
                    for (int i = 0; i < passes.length; i++) {
                        SequenceJobConfig p = config(kafka, pipeline, "bench-" + run + "-pass-" + i);
                        passes[i] = throughput(kafka, p, job(pipeline, serving));
                    }
                    Arrays.sort(passes);
                    double rate = passes[1];
                    long[] lat = latency(kafka, c, job(pipeline, serving), run);
                    rows.add(new Row(name, pipeline, rate, lat[0], lat[1], lat[2]));
                    System.out.printf("%-12s %-12s %,10.0f events/s (passes %,.0f / %,.0f / %,.0f)   latency p50 %d ms "
                            + "p99 %d ms (%d samples)%n", name, pipeline, rate, passes[0], passes[1], passes[2], lat[0],
                            lat[1], lat[2]);
                }
            }
        }
        report(rows);
    }

    SequenceJobConfig config(EmbeddedKafka kafka, String pipeline, String group) {
        return config(pipeline, group, kafka, batch, parallelism);
    }

    /** The job of {@code pipeline} ("identity", "batch N"; "batch 1" is per-record) reading the shared backlog. */
    public static SequenceJobConfig config(String pipeline, String group, EmbeddedKafka kafka, int batch, int parallelism) {
        int batchSize = pipeline.startsWith("batch ") ? Integer.parseInt(pipeline.substring(6)) : batch;
        return SequenceJobConfig.forSteps()
                .bootstrapServers(kafka.bootstrapServers())
                .groupId(group)
                .transactionalIdPrefix(group)
                .parallelism(parallelism)
                .mode(OutputMode.MANY_TO_MANY)
                .batchSize(batchSize)
                .batchMillis(batchSize == 1 ? 0 : 10)
                .followModelUpdates(false)
                .predictionsTopic(group + "-predictions")
                .build();
    }

    /** What {@code pipeline} runs: the identity pipeline ("identity"), else the sequence job serving {@code serving}. */
    public static JobBuilder job(String pipeline, ServedSequenceModel serving) {
        return pipeline.equals("identity") ? IdentityPipeline::build : (env, c) -> SequenceJob.build(env, c, serving);
    }

    public static StreamExecutionEnvironment env() {
        Configuration conf = new Configuration();
        conf.set(TaskManagerOptions.NUM_TASK_SLOTS, 4);
        conf.set(org.apache.flink.configuration.CoreOptions.TMP_DIRS, System.getProperty("java.io.tmpdir"));
        return StreamExecutionEnvironment.getExecutionEnvironment(conf);
    }

    /**
     * Events per second while the job works through the whole backlog: outputs over the span of
     * their Kafka timestamps (the sink's send times), so cluster start, source start-up and the
     * final commit are not counted; the backlog is large enough that the span is many seconds.
     */
    private double throughput(EmbeddedKafka kafka, SequenceJobConfig c, JobBuilder job) throws Exception {
        return throughput(kafka, c, job, events);
    }

    /** The job a benchmark builds into a fresh local environment from its (bounded, from-earliest) config. */
    @FunctionalInterface
    public interface JobBuilder {
        void build(StreamExecutionEnvironment env, SequenceJobConfig c);
    }

    /**
     * One pass of the job {@code job} builds over the backlog of {@code events}: events/s as above;
     * its predictions topic is made here.
     */
    public static double throughput(EmbeddedKafka kafka, SequenceJobConfig c, JobBuilder job, long events)
            throws Exception {
        try (Admin admin = Admin.create(kafka.clientProperties())) {
            new TopicAdmin(admin).ensure(List.of(new TopicSpec(c.kafka().predictionsTopic(), c.parallelism(), (short) 1,
                    APPEND_TIME)));
        }
        SequenceJobConfig pass = c.toBuilder().bounded(true).fromEarliest(true).build();
        StreamExecutionEnvironment env = env();
        job.build(env, pass);
        env.execute("bench " + pass.kafka().groupId());
        return outputRate(kafka, pass.kafka().predictionsTopic(), events);
    }

    /** Records per second in {@code topic}: {@code expected} records over the span of their broker timestamps. */
    static double outputRate(EmbeddedKafka kafka, String topic, long expected) {
        Properties cp = kafka.clientProperties();
        cp.put(ConsumerConfig.GROUP_ID_CONFIG, "bench-span-" + topic);
        cp.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        cp.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        long first = Long.MAX_VALUE;
        long last = Long.MIN_VALUE;
        long n = 0;
        long deadline = System.nanoTime() + 120_000_000_000L;
        try (var consumer = new KafkaConsumer<>(cp, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            consumer.subscribe(List.of(topic));
            while (n < expected && System.nanoTime() < deadline) {
                for (var r : consumer.poll(Duration.ofMillis(200))) {
                    first = Math.min(first, r.timestamp());
                    last = Math.max(last, r.timestamp());
                    n++;
                }
            }
        }
        if (n < expected) {
            throw new IllegalStateException("only " + n + " of " + expected + " records arrived in " + topic);
        }
        return n / Math.max(0.001, (last - first) / 1000.0);
    }

    /** Live: the job runs, events come at a fixed rate, latency of each prediction; {p50, p99, samples}. */
    private long[] latency(EmbeddedKafka kafka, SequenceJobConfig c, JobBuilder job, int run) throws Exception {
        List<Long> latencies = liveLatencies(kafka, c, job, "bench-live-" + run, liveRate, liveSeconds);
        // Warm-up: the first second of the live run is JIT and connection setup.
        return percentiles(latencies, liveRate);
    }

    /**
     * The job live on a fresh input topic fed at {@code rate} events/s for {@code seconds}: every
     * prediction's latency (ms), in arrival order, the first second (warm-up) included.
     */
    static List<Long> liveLatencies(EmbeddedKafka kafka, SequenceJobConfig backlog, JobBuilder pipeline, String topic,
                                    int liveRate, int liveSeconds) throws Exception {
        try (Admin admin = Admin.create(kafka.clientProperties())) {
            new TopicAdmin(admin).ensure(List.of(new TopicSpec(topic, backlog.parallelism(), (short) 1, Map.of())));
        }
        String group = backlog.kafka().groupId() + "-live";
        SequenceJobConfig c = backlog.toBuilder()
                .bounded(false)
                .fromEarliest(true)
                .inputTopic(topic)
                .groupId(group)
                .transactionalIdPrefix(group)
                .predictionsTopic(group + "-predictions")
                .build();
        try (Admin admin = Admin.create(kafka.clientProperties())) {
            new TopicAdmin(admin).ensure(List.of(new TopicSpec(c.kafka().predictionsTopic(), c.parallelism(), (short) 1,
                    Map.of())));
        }
        StreamExecutionEnvironment env = env();
        pipeline.build(env, c);
        JobClient job = env.executeAsync("bench live " + group);
        Thread.sleep(3000); // let the sources start before the first event
        int n = liveRate * liveSeconds;
        produce(kafka, topic, n, liveRate, 1);
        List<Long> latencies = readLatencies(kafka, c.kafka().predictionsTopic(), n, Duration.ofSeconds(60));
        job.cancel().get();
        return latencies;
    }

    /** {p50, p99, samples} of the latencies after the first {@code skip} (JIT and connection warm-up). */
    static long[] percentiles(List<Long> latencies, int skip) {
        List<Long> steady = latencies.subList(Math.min(latencies.size(), skip), latencies.size());
        long[] sorted = steady.stream().mapToLong(Long::longValue).sorted().toArray();
        if (sorted.length == 0) {
            return new long[] {-1, -1, 0};
        }
        return new long[] {sorted[sorted.length / 2], sorted[(int) Math.min(sorted.length - 1, sorted.length * 0.99)],
                sorted.length};
    }

    /** {@code n} StepEvents over 10k keys, round robin; paced at {@code rate}/s when rate > 0. */
    public static void produce(EmbeddedKafka kafka, String topic, int n, int rate, long seed) throws InterruptedException {
        RecordCodec<StepEvent> codec = Codecs.of(StepEvent.class, WireFormat.AVRO);
        Random rnd = new Random(seed);
        Properties p = kafka.clientProperties();
        p.put(ProducerConfig.LINGER_MS_CONFIG, rate > 0 ? "0" : "20");
        p.put(ProducerConfig.BATCH_SIZE_CONFIG, Integer.toString(256 << 10));
        long start = System.nanoTime();
        try (var producer = new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer())) {
            for (int i = 0; i < n; i++) {
                if (rate > 0) {
                    long due = start + (long) (i * 1e9 / rate);
                    long wait = due - System.nanoTime();
                    if (wait > 0) {
                        Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                    }
                }
                String key = "k" + (i % KEYS);
                List<Float> f = new ArrayList<>(FEATURES);
                for (int j = 0; j < FEATURES; j++) {
                    f.add((float) rnd.nextGaussian());
                }
                producer.send(new ProducerRecord<>(topic, key, codec.encode(StepEvent.newBuilder().setKey(key)
                        .setStep(i / KEYS).setEventTime(Instant.ofEpochMilli(System.currentTimeMillis()))
                        .setFeatures(f).setEndOfSequence(false).build())));
            }
            producer.flush();
        }
    }

    static List<Long> readLatencies(EmbeddedKafka kafka, String topic, int n, Duration timeout) {
        Properties cp = kafka.clientProperties();
        cp.put(ConsumerConfig.GROUP_ID_CONFIG, "bench-reader-" + topic);
        cp.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        cp.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        RecordCodec<Prediction> codec = Codecs.of(Prediction.class, WireFormat.AVRO);
        List<Long> out = new ArrayList<>(n);
        long deadline = System.nanoTime() + timeout.toNanos();
        try (var c = new KafkaConsumer<>(cp, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            c.subscribe(List.of(topic));
            while (out.size() < n && System.nanoTime() < deadline) {
                c.poll(Duration.ofMillis(200)).forEach(r -> out.add(codec.decode(r.value()).getLatencyMs()));
            }
        }
        return out;
    }

    private void report(List<Row> rows) {
        System.out.println();
        System.out.printf("pipeline benchmark: %,d StepEvents (%d features) over %,d keys, parallelism %d, MANY_TO_MANY, "
                + "exactly-once sinks; latency live at %,d events/s for %d s (processing latency: emission - Kafka timestamp)%n",
                events, FEATURES, KEYS, parallelism, liveRate, liveSeconds);
        System.out.printf("%-12s %-12s %12s %8s %8s %12s %12s%n", "model", "pipeline", "events/s", "p50 ms", "p99 ms",
                "vs identity", "vs batch 1");
        for (Row r : rows) {
            Row identity = rows.stream().filter(x -> x.model().equals(r.model()) && x.pipeline().equals("identity"))
                    .findFirst().orElse(r);
            Row single = rows.stream().filter(x -> x.model().equals(r.model()) && x.pipeline().equals("batch 1"))
                    .findFirst().orElse(r);
            System.out.printf("%-12s %-12s %,12.0f %8d %8d %12.2f %12.2f%n", r.model(), r.pipeline(), r.eventsPerSecond(),
                    r.p50(), r.p99(), r.eventsPerSecond() / identity.eventsPerSecond(),
                    r.eventsPerSecond() / single.eventsPerSecond());
        }
    }
}
