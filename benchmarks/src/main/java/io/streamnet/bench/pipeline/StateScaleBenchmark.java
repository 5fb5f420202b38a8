package io.streamnet.bench.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.streamnet.engine.checkpoint.Checkpoints;
import io.streamnet.engine.cpu.CpuBackend;
import io.streamnet.local.flink.StandaloneCluster;
import io.streamnet.flink.job.Delivery;
import io.streamnet.flink.job.StateBackend;
import io.streamnet.flink.sequence.SequenceJob;
import io.streamnet.flink.sequence.SequenceJobConfig;
import io.streamnet.contract.PipelineTopics;
import io.streamnet.kafka.admin.TopicAdmin;
import io.streamnet.local.kafka.EmbeddedKafka;
import io.streamnet.rnn.cell.CellType;
import io.streamnet.rnn.model.ModelConfig;
import io.streamnet.rnn.model.OutputType;
import io.streamnet.rnn.model.RnnCheckpoints;
import io.streamnet.rnn.model.SequenceModel;
import io.streamnet.rnn.model.Task;
import io.streamnet.schemas.StepEvent;
import io.streamnet.serving.model.ServedSequenceModel;
import io.streamnet.serving.sequence.OutputMode;
import io.streamnet.serving.wire.Codecs;
import io.streamnet.serving.wire.RecordCodec;
import io.streamnet.serving.wire.WireFormat;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Keyed state at scale: the sequence job holding one GRU state per key for 1M keys (the first
 * event of each key, no end of sequence), on a standalone cluster (a JobManager and a TaskManager
 * of 2 slots, separate JVMs), with RocksDB state (incremental checkpoints) and with heap state.
 * For each: throughput over the backlog, a FULL checkpoint (size, duration), 10% of the keys
 * stepped again and a checkpoint of the configured kind (RocksDB: incremental, only the new SST
 * files uploaded), and the time from a TaskManager killed with SIGKILL to the job running again
 * on a new one with its state restored.
 */
public final class StateScaleBenchmark {
    private static final int FEATURES = 8;
    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http = HttpClient.newHttpClient();
    private final int keys;

    private StateScaleBenchmark(int keys) {
        this.keys = keys;
    }

    public static void main(String[] args) throws Exception {
        List<String> a = Arrays.asList(args);
        int keys = a.contains("--quick") ? 100_000 : 1_000_000;
        int i = a.indexOf("--keys");
        if (i >= 0) {
            keys = Integer.parseInt(a.get(i + 1));
        }
        new StateScaleBenchmark(keys).run();
    }

    private void run() throws Exception {
        List<Map<String, String>> rows = measureAll(List.of(StateBackend.values()), System.out::println);
        System.out.printf("%nkeyed state of %,d keys (GRU H=16), one TaskManager of 2 slots, parallelism 2%n", keys);
        System.out.printf("%-9s %12s %12s %10s %12s %12s %10s %12s%n", "backend", "events/s", "full size", "full s",
                "delta kind", "uploaded", "delta s", "restore s");
        for (Map<String, String> r : rows) {
            System.out.printf("%-9s %12s %12s %10s %12s %12s %10s %12s%n", r.get("backend"), r.get("rate"),
                    r.get("fullSize"), r.get("fullSeconds"), r.get("deltaKind"), r.get("deltaSize"),
                    r.get("deltaSeconds"), r.get("restore"));
        }
    }

    /** The row names of {@link #measure}, in table order, with their headers. */
    public static final List<String[]> COLUMNS = List.of(new String[] {"backend", "state backend"},
            new String[] {"rate", "events/s (one step per key)"}, new String[] {"fullSize", "full checkpoint"},
            new String[] {"fullSeconds", "full s"}, new String[] {"deltaKind", "next checkpoint"},
            new String[] {"deltaSize", "uploaded"}, new String[] {"deltaSeconds", "next s"},
            new String[] {"restore", "kill-to-running s"});

    /** Each of {@code backends} on a fresh standalone cluster over {@code keys} keys: one row each (see {@link #COLUMNS}). */
    public static List<Map<String, String>> measure(int keys, List<StateBackend> backends,
                                                    java.util.function.Consumer<String> log) throws Exception {
        return new StateScaleBenchmark(keys).measureAll(backends, log);
    }

    private List<Map<String, String>> measureAll(List<StateBackend> backends,
                                                 java.util.function.Consumer<String> log) throws Exception {
        SequenceModel m = new SequenceModel(CpuBackend.instance(), ModelConfig.features(CellType.GRU, FEATURES, 16, 1, 0f,
                2, Task.CLASSIFICATION, OutputType.MANY_TO_ONE), 1);
        ServedSequenceModel serving = ServedSequenceModel.load(CpuBackend.instance(),
                Checkpoints.toBytes(RnnCheckpoints.toCheckpoint(m, null, Map.of())), "scale-gru16", 1);
        Path home = Files.createTempDirectory("streamnet-scale-");
        List<Map<String, String>> rows = new ArrayList<>();
        try (EmbeddedKafka kafka = EmbeddedKafka.start(); AutoCloseable cleanup = () -> deleteTree(home)) {
            try (Admin admin = Admin.create(kafka.clientProperties())) {
                new TopicAdmin(admin).ensure(PipelineTopics.all(2, (short) 1));
            }
            long t0 = System.nanoTime();
            produce(kafka, 0, keys, 1, 1);
            log.accept(String.format("produced %,d events, one per key, in %.1f s", keys, (System.nanoTime() - t0) / 1e9));
            int round = 0;
            for (StateBackend backend : backends) {
                round++;
                rows.add(measure(kafka, serving, backend, home.resolve(backend.flinkName), round, log));
            }
        }
        return rows;
    }

    private Map<String, String> measure(EmbeddedKafka kafka, ServedSequenceModel serving,
                                        StateBackend backend, Path dir, int round,
                                        java.util.function.Consumer<String> log) throws Exception {
        Map<String, String> row = new LinkedHashMap<>();
        row.put("backend", backend.flinkName);
        Map<String, String> extra = Map.of("metrics.fetcher.update-interval", "500",
                "taskmanager.memory.managed.fraction", backend == StateBackend.ROCKSDB ? "0.4" : "0.05");
        try (StandaloneCluster cluster = StandaloneCluster.start(new StandaloneCluster.Settings(dir.resolve("flink"), 2,
                "1024m", "6144m", extra, null), 1, Duration.ofMinutes(2))) {
            String group = "scale-" + backend.flinkName;
            SequenceJobConfig c = SequenceJobConfig.forSteps()
                    .bootstrapServers(kafka.bootstrapServers())
                    .groupId(group)
                    .transactionalIdPrefix(group)
                    .parallelism(2)
                    .mode(OutputMode.MANY_TO_ONE)
                    .batchSize(256)
                    .delivery(Delivery.AT_LEAST_ONCE) // nothing is written: no transactions to wait for
                    .checkpointInterval(Duration.ofHours(1)) // checkpoints are triggered here, one at a time
                    .transactionTimeout(Duration.ofHours(2)) // (none is opened: at-least-once)
                    .checkpointDir(dir.resolve("checkpoints").toUri().toString())
                    .stateBackend(backend)
                    .incrementalCheckpoints(true)
                    .restartInitialBackoff(Duration.ofMillis(200))
                    .stateTtl(Duration.ofHours(6)).build();
            StreamExecutionEnvironment env = StreamExecutionEnvironment.createRemoteEnvironment("127.0.0.1",
                    cluster.restPort());
            SequenceJob.build(env, c, serving);
            JobClient job = env.executeAsync(SequenceJob.NAME);
            String id = job.getJobID().toString();
            cluster.awaitRunning(id, Duration.ofMinutes(2));
            int delta = keys / 10;
            long backlog = keys + (long) (round - 1) * delta; // the earlier rounds' second steps are there too
            long start = System.nanoTime();
            awaitProcessed(cluster, id, backlog, Duration.ofMinutes(20));
            double seconds = (System.nanoTime() - start) / 1e9;
            row.put("rate", String.format("%,.0f", backlog / seconds));
            log.accept(String.format("%s: %,d events (%,d keys) in %.1f s", backend.flinkName, backlog, keys, seconds));

            JsonNode full = checkpoint(cluster, id, "FULL");
            row.put("fullSize", mb(full.path("state_size").asLong()));
            row.put("fullSeconds", String.format("%.1f", full.path("end_to_end_duration").asLong() / 1e3));

            produce(kafka, round, delta, 10, round * 1000L); // every 10th key one more step
            awaitProcessed(cluster, id, backlog + delta, Duration.ofMinutes(10));
            JsonNode incr = checkpoint(cluster, id, "CONFIGURED"); // Flink cannot be asked for an incremental one (FLINK-33723)
            row.put("deltaKind", incr.path("checkpoint_type").asText().toLowerCase().replace("_checkpoint", ""));
            row.put("deltaSize", mb(incr.path("checkpointed_size").asLong()) + " of " + mb(incr.path("state_size").asLong()));
            row.put("deltaSeconds", String.format("%.1f", incr.path("end_to_end_duration").asLong() / 1e3));
            log.accept(String.format("%s: full checkpoint %s", backend.flinkName, brief(full)));
            log.accept(String.format("%s: after %,d keys stepped again, checkpoint %s", backend.flinkName, delta, brief(incr)));

            long killed = System.nanoTime();
            cluster.killTaskManager(0);
            cluster.startTaskManager();
            cluster.awaitFailovers(id, 1, Duration.ofMinutes(2));
            cluster.awaitRunning(id, Duration.ofMinutes(10));
            row.put("restore", String.format("%.1f", (System.nanoTime() - killed) / 1e9));
            log.accept(String.format("%s: TaskManager killed, the job running again with its state %s s later",
                    backend.flinkName, row.get("restore")));
            job.cancel().get();
        }
        return row;
    }

    /** {@code n} StepEvents, step {@code step}, for keys 0, every, 2*every, ... */
    private void produce(EmbeddedKafka kafka, int step, int n, int every, long seed) throws Exception {
        RecordCodec<StepEvent> codec = Codecs.of(StepEvent.class, WireFormat.AVRO);
        Random rnd = new Random(seed);
        Properties p = kafka.clientProperties();
        p.put(ProducerConfig.LINGER_MS_CONFIG, "20");
        p.put(ProducerConfig.BATCH_SIZE_CONFIG, Integer.toString(256 << 10));
        try (var producer = new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer())) {
            for (int i = 0; i < n; i++) {
                int k = (int) ((long) i * every % keys);
                String key = "k" + k;
                List<Float> f = new ArrayList<>(FEATURES);
                for (int j = 0; j < FEATURES; j++) {
                    f.add((float) rnd.nextGaussian());
                }
                producer.send(new ProducerRecord<>(PipelineTopics.STEP_EVENTS, key, codec.encode(StepEvent.newBuilder()
                        .setKey(key).setStep(step).setEventTime(Instant.now()).setFeatures(f)
                        .setEndOfSequence(false).build())));
            }
            producer.flush();
        }
    }

    /** Waits until the keyed operator has taken {@code n} records in (its vertex's read-records on the REST API). */
    private void awaitProcessed(StandaloneCluster cluster, String job, long n, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        long seen = 0;
        while (System.nanoTime() < deadline) {
            JsonNode j = get(cluster, "/jobs/" + job);
            for (JsonNode v : j.path("vertices")) {
                if (v.path("name").asText().startsWith("rnn ")) {
                    seen = v.path("metrics").path("read-records").asLong();
                }
            }
            if (seen >= n) {
                return;
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException("the job took " + seen + " of " + n + " records in " + timeout);
    }

    /** Triggers a checkpoint of {@code type} (FULL, or CONFIGURED: incremental where the backend is) over REST and returns its statistics once completed. */
    private JsonNode checkpoint(StandaloneCluster cluster, String job, String type) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(uri(cluster, "/jobs/" + job + "/checkpoints"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"checkpointType\":\"" + type + "\"}")).build(),
                HttpResponse.BodyHandlers.ofString());
        String trigger = JSON.readTree(r.body()).path("request-id").asText();
        if (trigger.isEmpty()) {
            throw new IllegalStateException("checkpoint not triggered: " + r.body());
        }
        long deadline = System.nanoTime() + Duration.ofMinutes(10).toNanos();
        while (System.nanoTime() < deadline) {
            JsonNode s = get(cluster, "/jobs/" + job + "/checkpoints/" + trigger);
            if ("COMPLETED".equals(s.path("status").path("id").asText())) {
                if (s.path("operation").has("failure-cause")) {
                    throw new IllegalStateException("checkpoint failed: " + s);
                }
                long id = s.path("operation").path("checkpointId").asLong();
                // the statistics reach the REST API's cache a moment after completion
                while (System.nanoTime() < deadline) {
                    JsonNode details = get(cluster, "/jobs/" + job + "/checkpoints/details/" + id);
                    if (details.has("state_size")) {
                        return details;
                    }
                    Thread.sleep(200);
                }
                break;
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException("checkpoint " + trigger + " did not complete");
    }

    private JsonNode get(StandaloneCluster cluster, String path) throws Exception {
        return JSON.readTree(http.send(HttpRequest.newBuilder(uri(cluster, path)).build(),
                HttpResponse.BodyHandlers.ofString()).body());
    }

    private static URI uri(StandaloneCluster cluster, String path) {
        return URI.create("http://127.0.0.1:" + cluster.restPort() + path);
    }

    private static void deleteTree(Path dir) throws java.io.IOException {
        try (var s = Files.walk(dir)) {
            s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    private static String brief(JsonNode c) {
        return String.format("%d (%s): %s uploaded of %s state, %d ms", c.path("id").asLong(),
                c.path("checkpoint_type").asText(), mb(c.path("checkpointed_size").asLong()),
                mb(c.path("state_size").asLong()), c.path("end_to_end_duration").asLong());
    }

    private static String mb(long bytes) {
        return String.format("%.1f MB", bytes / 1e6);
    }
}
