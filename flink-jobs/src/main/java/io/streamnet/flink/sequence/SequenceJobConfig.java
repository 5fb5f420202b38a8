package io.streamnet.flink.sequence;

import io.streamnet.flink.model.ModelUpdates;
import io.streamnet.flink.rnn.OutputMode;
import io.streamnet.flink.rnn.RnnOperatorConfig;
import io.streamnet.kafka.admin.PipelineTopics;
import io.streamnet.kafka.serde.WireFormat;
import java.io.Serializable;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Everything the sequence inference job reads, typed, with defaults that work against a local
 * broker, validated by {@link #validate()} before the job is built.
 */
public final class SequenceJobConfig implements Serializable {
    private static final long serialVersionUID = 1L;

    public String bootstrapServers = "127.0.0.1:9092";
    public InputKind inputKind = InputKind.TEXT;
    public String inputTopic = PipelineTopics.TEXT_EVENTS;
    public WireFormat inputFormat = WireFormat.AVRO;
    public String predictionsTopic = PipelineTopics.PREDICTIONS;
    public WireFormat outputFormat = WireFormat.AVRO;
    public String deadLetterTopic = PipelineTopics.DEAD_LETTERS;
    public String modelUpdatesTopic = PipelineTopics.MODEL_UPDATES;
    /** Listen for model updates while running (false: serve the initial model only). */
    public boolean followModelUpdates = true;
    public String groupId = "streamnet-sequence-job";
    /** Where a job without a checkpoint starts reading its input. */
    public boolean fromEarliest = true;
    /** Stop once the input offsets that existed at start are consumed (tests, benchmarks, replays). */
    public boolean bounded = false;
    public int parallelism = 1;
    public int bundleSize = 64;
    public long bundleMillis = 20;
    public OutputMode mode = OutputMode.MANY_TO_ONE;
    public Duration sessionGap = null;
    public Duration stateTtl = Duration.ofHours(1);
    public int forecastSteps = 8;
    public int maxRecordBytes = 1 << 20;
    public int maxModelBytes = ModelUpdates.DEFAULT_MAX_BYTES;
    public Delivery delivery = Delivery.EXACTLY_ONCE;
    public Duration checkpointInterval = Duration.ofSeconds(2);
    /**
     * Where checkpoints go (a file system URI). Keyed RNN state outgrows the JobManager's in-memory
     * checkpoint limit (5 MB) at a few thousand keys: 10k LSTM-256 keys hold 20 MB.
     */
    public String checkpointDir = Path.of(System.getProperty("java.io.tmpdir"), "streamnet-checkpoints").toUri()
            .toString();
    public String transactionalIdPrefix = "streamnet-sequence";
    /** Must stay below the broker's transaction.max.timeout.ms (15 min by default). */
    public Duration transactionTimeout = Duration.ofMinutes(10);
    /** No model at all: identity pipeline for benchmarks (source, decode, keyBy, sink). */
    public boolean identity = false;

    public SequenceJobConfig() {
    }

    /** Defaults for feature-vector input (StepEvent on step-events). */
    public static SequenceJobConfig forSteps() {
        SequenceJobConfig c = new SequenceJobConfig();
        c.inputKind = InputKind.STEP;
        c.inputTopic = PipelineTopics.STEP_EVENTS;
        return c;
    }

    public RnnOperatorConfig operatorConfig() {
        return new RnnOperatorConfig(bundleSize, bundleMillis, mode, sessionGap, stateTtl, forecastSteps, maxModelBytes);
    }

    /** Throws with every problem listed, so a bad config fails at start and says all that is wrong. */
    public SequenceJobConfig validate() {
        List<String> problems = new ArrayList<>();
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
        if (inputKind == null || inputFormat == null || outputFormat == null || mode == null || delivery == null) {
            problems.add("input kind, formats, mode and delivery are required");
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
        if (transactionTimeout == null || transactionTimeout.compareTo(checkpointInterval) <= 0) {
            problems.add("transaction timeout must exceed the checkpoint interval");
        }
        if (maxRecordBytes < 16) {
            problems.add("max record size must be at least 16 bytes");
        }
        if (inputKind == InputKind.TEXT && mode == OutputMode.FORECAST) {
            problems.add("FORECAST generates feature vectors: use STEP input");
        }
        try {
            operatorConfig();
        } catch (IllegalArgumentException e) {
            problems.add(e.getMessage());
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("invalid sequence job config: " + String.join("; ", problems));
        }
        return this;
    }
}
