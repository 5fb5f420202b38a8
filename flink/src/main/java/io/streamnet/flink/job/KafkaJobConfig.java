package io.streamnet.flink.job;

import io.streamnet.contract.PipelineTopics;
import io.streamnet.contract.ClientProperties;
import io.streamnet.serving.model.ModelUpdates;
import io.streamnet.serving.reject.InputLimits;
import io.streamnet.serving.wire.WireFormat;
import java.io.Serializable;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * What every streamnet job reads from Kafka to Kafka has in common: brokers, topics, formats,
 * delivery, checkpointing. Typed public fields with defaults that work against a local broker;
 * each job's config adds its own and lists every problem at once in {@code validate()}.
 */
public abstract class KafkaJobConfig implements Serializable {
    private static final long serialVersionUID = 1L;

    public String bootstrapServers = "127.0.0.1:9092";
    /** The user's Kafka client settings (SASL, SSL), given to the job's every source and sink. */
    public ClientProperties kafka = ClientProperties.NONE;
    public String inputTopic;
    public WireFormat inputFormat = WireFormat.AVRO;
    public String predictionsTopic = PipelineTopics.PREDICTIONS;
    public WireFormat outputFormat = WireFormat.AVRO;
    public String deadLetterTopic = PipelineTopics.DEAD_LETTERS;
    public String modelUpdatesTopic = PipelineTopics.MODEL_UPDATES;
    /** Listen for model updates while running (false: serve the initial model only). */
    public boolean followModelUpdates = true;
    public String groupId;
    /** Where a job without a checkpoint starts reading its input. */
    public boolean fromEarliest = true;
    /** Stop once the input offsets that existed at start are consumed (tests, benchmarks, replays). */
    public boolean bounded = false;
    public int parallelism = 1;
    /** Idle keys' state expires after this (null: kept). */
    public Duration stateTtl = Duration.ofHours(1);
    public int maxRecordBytes = 1 << 20;
    /** What every input record is held to before anything is sized from it (keys, event times, texts, features, frames). */
    public InputLimits inputLimits = InputLimits.DEFAULTS;
    public int maxModelBytes = ModelUpdates.DEFAULT_MAX_BYTES;
    /**
     * The X.509 encoding of the Ed25519 public key model updates must be signed by
     * ({@code UpdateSignatures.readPublicKey}); null: unsigned updates are accepted (logged once).
     */
    public byte[] trustedUpdateKey = null;
    /** A key's events must come in increasing seq (frame number); false turns DUPLICATE/OUT_OF_ORDER off. */
    public boolean checkOrder = true;
    public Delivery delivery = Delivery.EXACTLY_ONCE;
    public Duration checkpointInterval = Duration.ofSeconds(2);
    /**
     * Where checkpoints go (a file system URI). Keyed state outgrows the JobManager's in-memory
     * checkpoint limit (5 MB) at a few thousand keys: 10k LSTM-256 keys hold 20 MB.
     */
    public String checkpointDir = Path.of(System.getProperty("java.io.tmpdir"), "streamnet-checkpoints").toUri()
            .toString();
    /**
     * Where keyed state lives: on the heap (fast; every key in memory, each checkpoint full) or in
     * RocksDB on local disk (key counts beyond memory; {@link #incrementalCheckpoints} then upload
     * only the files changed since the last checkpoint).
     */
    public StateBackend stateBackend = StateBackend.HASHMAP;
    /** RocksDB only: a checkpoint uploads the SST files new since the previous one. */
    public boolean incrementalCheckpoints = true;

    /** Flink's two state backends, by their {@code state.backend.type} names. */
    public enum StateBackend {
        HASHMAP("hashmap"), ROCKSDB("rocksdb");

        public final String flinkName;

        StateBackend(String flinkName) {
            this.flinkName = flinkName;
        }
    }

    /**
     * A retained checkpoint or a savepoint to start from (its directory or {@code _metadata}); null:
     * a fresh start. {@link #claimRestore}: the job takes ownership of it (a retained checkpoint
     * of its own, deleted once newer ones subsume it); otherwise it is left as it is (a savepoint).
     */
    public String restorePath;
    /** Keep the last checkpoint when the job is cancelled, as when its process dies (run: yes; tests: no). */
    public boolean retainCheckpoints;
    public boolean claimRestore;
    public String transactionalIdPrefix;
    /**
     * An unexpected failure (a broker outage) restarts the job with growing delays, at most this
     * many times in a row; no record can cause one (they become dead letters), so a job that keeps
     * failing has a cause worth stopping for. Flink's {@code numRestarts} metric counts them.
     */
    public int restartAttempts = 20;
    public Duration restartInitialBackoff = Duration.ofSeconds(1);
    public Duration restartMaxBackoff = Duration.ofMinutes(1);
    /** Must stay below the broker's transaction.max.timeout.ms (15 min by default). */
    public Duration transactionTimeout = Duration.ofMinutes(10);

    /**
     * Prefix of the operator uids (state is matched to operators by uid on restore): jobs built into
     * one environment, as in the demo, need different ones.
     */
    public String uidPrefix = "";

    protected KafkaJobConfig(String inputTopic, String groupId, String transactionalIdPrefix) {
        this.inputTopic = inputTopic;
        this.groupId = groupId;
        this.transactionalIdPrefix = transactionalIdPrefix;
    }

    /** Adds the problems of the common fields to {@code problems}. */
    protected void validateCommon(List<String> problems) {
        if (bootstrapServers == null || bootstrapServers.isBlank()) {
            problems.add("bootstrap servers are required");
        }
        for (String t : new String[] {inputTopic, predictionsTopic, deadLetterTopic, groupId}) {
            if (t == null || t.isBlank()) {
                problems.add("topics and group id must be named");
                break;
            }
        }
        if (followModelUpdates && (modelUpdatesTopic == null || modelUpdatesTopic.isBlank())) {
            problems.add("model updates are followed but no model-updates topic is named");
        }
        if (inputFormat == null || outputFormat == null || delivery == null) {
            problems.add("formats and delivery are required");
        }
        if (parallelism < 1) {
            problems.add("parallelism must be at least 1, got " + parallelism);
        }
        if (checkpointInterval == null || checkpointInterval.toMillis() < 10) {
            problems.add("checkpoint interval must be at least 10 ms, got " + checkpointInterval);
        }
        if (checkpointDir == null || checkpointDir.isBlank()) {
            problems.add("a checkpoint directory is required");
        }
        if (delivery == Delivery.EXACTLY_ONCE && (transactionalIdPrefix == null || transactionalIdPrefix.isBlank())) {
            problems.add("EXACTLY_ONCE needs a transactional id prefix");
        }
        if (transactionTimeout == null || checkpointInterval == null
                || transactionTimeout.compareTo(checkpointInterval) <= 0) {
            problems.add("transaction timeout must exceed the checkpoint interval");
        }
        if (uidPrefix == null) {
            problems.add("uid prefix must not be null (empty is fine)");
        }
        if (restartAttempts < 0) {
            problems.add("restart attempts must be non-negative, got " + restartAttempts);
        }
        if (restartInitialBackoff == null || restartMaxBackoff == null || restartInitialBackoff.isNegative()
                || restartMaxBackoff.compareTo(restartInitialBackoff) < 0) {
            problems.add("restart backoff must be 0 <= initial <= max, got " + restartInitialBackoff + " .. "
                    + restartMaxBackoff);
        }
        if (stateBackend == null) {
            problems.add("a state backend is required (hashmap or rocksdb)");
        }
        if (kafka == null) {
            problems.add("Kafka client settings must not be null (ClientProperties.NONE for none)");
        }
        if (inputLimits == null) {
            problems.add("input limits are required");
        }
        if (maxRecordBytes < 16) {
            problems.add("max record size must be at least 16 bytes");
        }
    }

    /** Throws with every problem listed, naming the job. */
    protected static void throwIfAny(String job, List<String> problems) {
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("invalid " + job + " config: " + String.join("; ", problems));
        }
    }
}
