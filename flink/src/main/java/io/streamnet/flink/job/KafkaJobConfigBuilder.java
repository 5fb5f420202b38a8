package io.streamnet.flink.job;

import io.streamnet.contract.ClientProperties;
import io.streamnet.contract.PipelineTopics;
import io.streamnet.serving.event.EventOrder;
import io.streamnet.serving.model.ModelUpdates;
import io.streamnet.serving.reject.InputLimits;
import io.streamnet.serving.sequence.SequenceInput;
import io.streamnet.serving.wire.WireFormat;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The settings every job shares, with the defaults of a local broker; a job's builder adds its
 * own and checks them in {@code build()}.
 *
 * @param <C> the config it builds
 * @param <B> the builder itself, so that the shared setters chain into the job's own
 */
public abstract class KafkaJobConfigBuilder<C extends KafkaJobConfig, B extends KafkaJobConfigBuilder<C, B>> {
    // not private: KafkaJobConfig's constructor reads them
    int parallelism = 1;
    String uidPrefix = "";
    String bootstrapServers = "127.0.0.1:9092";
    ClientProperties client = ClientProperties.NONE;
    String inputTopic;
    WireFormat inputFormat = WireFormat.AVRO;
    String predictionsTopic = PipelineTopics.PREDICTIONS;
    WireFormat outputFormat = WireFormat.AVRO;
    String deadLetterTopic = PipelineTopics.DEAD_LETTERS;
    String modelUpdatesTopic = PipelineTopics.MODEL_UPDATES;
    String groupId;
    String transactionalIdPrefix;
    boolean fromEarliest = true;
    boolean bounded = false;
    Delivery delivery = Delivery.EXACTLY_ONCE;
    Duration transactionTimeout = Duration.ofMinutes(10);
    int batchSize;
    long batchMillis = 20;
    boolean followModelUpdates = true;
    int maxModelBytes = ModelUpdates.DEFAULT_MAX_BYTES;
    byte[] trustedUpdateKey;
    int maxRecordBytes = 1 << 20;
    InputLimits inputLimits = InputLimits.DEFAULTS;
    int maxStepsPerEvent = SequenceInput.DEFAULT_MAX_STEPS;
    Duration stateTtl = Duration.ofHours(1);
    boolean checkOrder = true;
    Duration checkpointInterval = Duration.ofSeconds(2);
    String checkpointDir = Path.of(System.getProperty("java.io.tmpdir"), "streamnet-checkpoints").toUri().toString();
    StateBackend stateBackend = StateBackend.HASHMAP;
    boolean incrementalCheckpoints = true;
    boolean retainCheckpoints;
    String restorePath;
    boolean claimRestore;
    int restartAttempts = 20;
    Duration restartInitialBackoff = Duration.ofSeconds(1);
    Duration restartMaxBackoff = Duration.ofMinutes(1);

    /** A job's own defaults: the topic it reads, its group and transactional ids, its batch size. */
    protected KafkaJobConfigBuilder(String inputTopic, String groupId, String transactionalIdPrefix, int batchSize) {
        this.inputTopic = inputTopic;
        this.groupId = groupId;
        this.transactionalIdPrefix = transactionalIdPrefix;
        this.batchSize = batchSize;
    }

    /** Starts from {@code c}'s settings (a job built again with a few changed). */
    protected KafkaJobConfigBuilder(KafkaJobConfig c) {
        parallelism = c.parallelism();
        uidPrefix = c.uidPrefix();
        KafkaPart k = c.kafka();
        bootstrapServers = k.bootstrapServers();
        client = k.client();
        inputTopic = k.inputTopic();
        inputFormat = k.inputFormat();
        predictionsTopic = k.predictionsTopic();
        outputFormat = k.outputFormat();
        deadLetterTopic = k.deadLetterTopic();
        modelUpdatesTopic = k.modelUpdatesTopic();
        groupId = k.groupId();
        transactionalIdPrefix = k.transactionalIdPrefix();
        fromEarliest = k.fromEarliest();
        bounded = k.bounded();
        delivery = k.delivery();
        transactionTimeout = k.transactionTimeout();
        batchSize = c.batching().size();
        batchMillis = c.batching().maxWaitMillis();
        followModelUpdates = c.model().followUpdates();
        maxModelBytes = c.model().maxModelBytes();
        trustedUpdateKey = c.model().trustedUpdateKey();
        maxRecordBytes = c.limits().maxRecordBytes();
        inputLimits = c.limits().input();
        maxStepsPerEvent = c.limits().maxStepsPerEvent();
        stateTtl = c.limits().stateTtl();
        checkOrder = c.limits().order() == EventOrder.CHECKED;
        RecoveryPart r = c.recovery();
        checkpointInterval = r.checkpointInterval();
        checkpointDir = r.checkpointDir();
        stateBackend = r.stateBackend();
        incrementalCheckpoints = r.incrementalCheckpoints();
        retainCheckpoints = r.retainCheckpoints();
        restorePath = r.restorePath();
        claimRestore = r.claimRestore();
        restartAttempts = r.restartAttempts();
        restartInitialBackoff = r.restartInitialBackoff();
        restartMaxBackoff = r.restartMaxBackoff();
    }

    protected abstract B self();

    /** The config, or an IllegalArgumentException naming every problem at once. */
    public abstract C build();

    public B parallelism(int n) {
        parallelism = n;
        return self();
    }

    public B uidPrefix(String prefix) {
        uidPrefix = prefix;
        return self();
    }

    public B bootstrapServers(String servers) {
        bootstrapServers = servers;
        return self();
    }

    /** The user's Kafka client settings (SASL, SSL), given to the job's every source and sink. */
    public B client(ClientProperties settings) {
        client = settings;
        return self();
    }

    public B inputTopic(String topic) {
        inputTopic = topic;
        return self();
    }

    public B inputFormat(WireFormat format) {
        inputFormat = format;
        return self();
    }

    public B predictionsTopic(String topic) {
        predictionsTopic = topic;
        return self();
    }

    public B outputFormat(WireFormat format) {
        outputFormat = format;
        return self();
    }

    public B deadLetterTopic(String topic) {
        deadLetterTopic = topic;
        return self();
    }

    public B modelUpdatesTopic(String topic) {
        modelUpdatesTopic = topic;
        return self();
    }

    public B groupId(String group) {
        groupId = group;
        return self();
    }

    public B transactionalIdPrefix(String prefix) {
        transactionalIdPrefix = prefix;
        return self();
    }

    public B fromEarliest(boolean earliest) {
        fromEarliest = earliest;
        return self();
    }

    public B bounded(boolean stopAtStartOffsets) {
        bounded = stopAtStartOffsets;
        return self();
    }

    public B delivery(Delivery d) {
        delivery = d;
        return self();
    }

    public B transactionTimeout(Duration timeout) {
        transactionTimeout = timeout;
        return self();
    }

    public B batchSize(int size) {
        batchSize = size;
        return self();
    }

    public B batchMillis(long maxWaitMillis) {
        batchMillis = maxWaitMillis;
        return self();
    }

    public B followModelUpdates(boolean follow) {
        followModelUpdates = follow;
        return self();
    }

    public B maxModelBytes(int bytes) {
        maxModelBytes = bytes;
        return self();
    }

    public B trustedUpdateKey(byte[] x509) {
        trustedUpdateKey = x509 == null ? null : x509.clone();
        return self();
    }

    public B maxRecordBytes(int bytes) {
        maxRecordBytes = bytes;
        return self();
    }

    public B inputLimits(InputLimits limits) {
        inputLimits = limits;
        return self();
    }

    public B maxStepsPerEvent(int steps) {
        maxStepsPerEvent = steps;
        return self();
    }

    public B stateTtl(Duration ttl) {
        stateTtl = ttl;
        return self();
    }

    public B checkOrder(boolean check) {
        checkOrder = check;
        return self();
    }

    public B checkpointInterval(Duration interval) {
        checkpointInterval = interval;
        return self();
    }

    public B checkpointDir(String uri) {
        checkpointDir = uri;
        return self();
    }

    public B stateBackend(StateBackend backend) {
        stateBackend = backend;
        return self();
    }

    public B incrementalCheckpoints(boolean incremental) {
        incrementalCheckpoints = incremental;
        return self();
    }

    public B retainCheckpoints(boolean retain) {
        retainCheckpoints = retain;
        return self();
    }

    /** A checkpoint or savepoint to start from; {@code claim}: see {@link RecoveryPart#claimRestore()}. */
    public B restoreFrom(String path, boolean claim) {
        restorePath = path;
        claimRestore = claim;
        return self();
    }

    public B restartAttempts(int attempts) {
        restartAttempts = attempts;
        return self();
    }

    public B restartInitialBackoff(Duration backoff) {
        restartInitialBackoff = backoff;
        return self();
    }

    public B restartMaxBackoff(Duration backoff) {
        restartMaxBackoff = backoff;
        return self();
    }

    /** The group id as set so far (a job's recovery options name its checkpoint directory after it). */
    public String groupId() {
        return groupId;
    }

    /** The problems of the shared settings. */
    protected List<String> commonProblems() {
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
        if (client == null) {
            problems.add("Kafka client settings must not be null (ClientProperties.NONE for none)");
        }
        if (inputLimits == null) {
            problems.add("input limits are required");
        }
        if (maxRecordBytes < 16) {
            problems.add("max record size must be at least 16 bytes");
        }
        return problems;
    }

    /** Whether updates are followed, as set so far (the training job requires it). */
    protected boolean followsModelUpdates() {
        return followModelUpdates;
    }

    /** The trusted update key as set so far (the training job checks it against its signing key). */
    protected byte[] trustedKey() {
        return trustedUpdateKey;
    }
}
