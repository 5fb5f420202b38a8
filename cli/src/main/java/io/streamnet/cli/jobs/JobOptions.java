package io.streamnet.cli.jobs;

import io.streamnet.kafka.client.KafkaClientOptions;
import io.streamnet.engine.backend.Backends;
import io.streamnet.flink.frame.FrameJobConfig;
import io.streamnet.flink.job.Delivery;
import io.streamnet.flink.job.KafkaJobConfigBuilder;
import io.streamnet.flink.job.StateBackend;
import io.streamnet.flink.sequence.SequenceJobConfig;
import io.streamnet.flink.training.TrainingJobConfig;
import io.streamnet.contract.PipelineTopics;
import io.streamnet.kafka.model.ModelUpdateReader;
import io.streamnet.serving.model.ModelUpdates;
import io.streamnet.serving.model.ServedFrameModel;
import io.streamnet.serving.model.ServedSequenceModel;
import io.streamnet.serving.model.UpdateSignatures;
import io.streamnet.serving.reject.InputLimits;
import io.streamnet.serving.sequence.InputKind;
import io.streamnet.serving.sequence.OutputMode;
import io.streamnet.serving.sequence.SequenceInput;
import io.streamnet.serving.wire.WireFormat;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * The jobs' settings as command-line options (shared by run, submit and demo). The frame job reads
 * the common ones, with {@code --batch-size}/{@code --batch-ms} as its batch size and time.
 */
public final class JobOptions {
    private static final Logger LOG = LoggerFactory.getLogger(JobOptions.class);

    @Option(names = "--bootstrap", defaultValue = "127.0.0.1:9092", description = "Kafka bootstrap servers (default ${DEFAULT-VALUE}).")
    public String bootstrap;

    @Option(names = "--model", description = "Checkpoint to serve first (default: the newest valid model in the model-updates topic).")
    public Path model;

    @Option(names = "--model-id", description = "Model id served and followed in model-updates (default: the checkpoint's, else its file name).")
    public String modelId;

    @Option(names = "--format", defaultValue = "avro", description = "Input wire format, avro or json (default ${DEFAULT-VALUE}).")
    public String format;

    @Option(names = "--output-format", defaultValue = "avro", description = "Predictions/dead letters format, avro or json (default ${DEFAULT-VALUE}).")
    public String outputFormat;

    @Option(names = "--mode", defaultValue = "many_to_one", description = "many_to_one, many_to_many, rolling or forecast (default ${DEFAULT-VALUE}).")
    public String mode;

    @Option(names = {"--batch-size", "--bundle-size"}, defaultValue = "64", description = "Most records per batched step (default ${DEFAULT-VALUE}).")
    public int batchSize;

    @Option(names = {"--batch-ms", "--bundle-ms"}, defaultValue = "20", description = "Longest a record waits for its batch (default ${DEFAULT-VALUE}).")
    public long batchMillis;

    @Option(names = "--session-gap", description = "Seconds of silence that close a sequence without an end marker (default: none).")
    public Long sessionGapSeconds;

    @Option(names = "--state-ttl", defaultValue = "3600", description = "Seconds an idle key keeps its state (default ${DEFAULT-VALUE}).")
    public long stateTtlSeconds;

    @Option(names = "--forecast-steps", defaultValue = "8", description = "Values generated per FORECAST (default ${DEFAULT-VALUE}).")
    public int forecastSteps;

    @Option(names = "--delivery", defaultValue = "exactly_once", description = "exactly_once or at_least_once (default ${DEFAULT-VALUE}).")
    public String delivery;

    @Option(names = "--checkpoint-ms", defaultValue = "2000", description = "Checkpoint interval; EXACTLY_ONCE predictions become visible at each (default ${DEFAULT-VALUE}).")
    public long checkpointMillis;

    @Option(names = "--parallelism", defaultValue = "2", description = "Parallelism (default ${DEFAULT-VALUE}).")
    public int parallelism;

    static final String DEFAULT_GROUP = "streamnet-sequence-job";

    @Option(names = "--group-id", defaultValue = DEFAULT_GROUP, description = "Consumer group and transactional id prefix (default ${DEFAULT-VALUE}).")
    public String groupId;

    @Option(names = "--from-latest", description = "Without a checkpoint, start at the end of the input instead of its beginning.")
    public boolean fromLatest;

    @Option(names = "--no-model-updates", description = "Serve the initial model only; ignore the model-updates topic.")
    public boolean noModelUpdates;

    @Mixin
    public KafkaClientOptions kafka = new KafkaClientOptions();

    @Option(names = "--update-key", paramLabel = "FILE", description = "Ed25519 public key (PEM, from 'streamnet keygen'): only model updates signed by its private key are taken.")
    public Path updateKey;

    @Option(names = "--no-order-check", description = "Step events whatever their seq / frame number (no DUPLICATE or OUT_OF_ORDER dead letters).")
    public boolean noOrderCheck;

    @Option(names = "--checkpoint-dir", description = "Where checkpoints go, a path or URI all job processes reach (file:///shared/..., s3://...; default for run: ~/.cache/streamnet/checkpoints/JOB/GROUP, where the next run resumes from).")
    public String checkpointDir;

    @Option(names = "--state-backend", defaultValue = "hashmap", description = "Keyed state on the heap (hashmap) or in RocksDB on local disk (rocksdb: key counts beyond memory, incremental checkpoints) (default ${DEFAULT-VALUE}).")
    public String stateBackend = "hashmap";

    @Option(names = "--max-key-bytes", defaultValue = "1024", description = "Longest sequence key / camera id in UTF-8 bytes (default ${DEFAULT-VALUE}).")
    public int maxKeyBytes = InputLimits.DEFAULTS.maxKeyBytes();

    @Option(names = "--max-text-chars", defaultValue = "100000", description = "Longest text of one event (default ${DEFAULT-VALUE}).")
    public int maxTextChars = InputLimits.DEFAULTS.maxTextChars();

    @Option(names = "--max-features", defaultValue = "65536", description = "Most features in one step event (default ${DEFAULT-VALUE}).")
    public int maxFeatures = InputLimits.DEFAULTS.maxFeatures();

    @Option(names = "--max-frame-side", defaultValue = "8192", description = "Largest frame height or width (default ${DEFAULT-VALUE}).")
    public int maxFrameSide = InputLimits.DEFAULTS.maxFrameSide();

    @Option(names = "--max-steps-per-event", defaultValue = "10000", description = "Most input steps (tokens) one event may carry (default ${DEFAULT-VALUE}).")
    public int maxStepsPerEvent = SequenceInput.DEFAULT_MAX_STEPS;

    /**
     * The settings every job shares: brokers, formats, batching, state TTL, delivery, checkpoints,
     * parallelism, Kafka client settings, signing key, order check and limits.
     */
    private <B extends KafkaJobConfigBuilder<?, B>> B common(B b) throws java.io.IOException {
        b.bootstrapServers(bootstrap)
                .inputFormat(WireFormat.parse(format))
                .outputFormat(WireFormat.parse(outputFormat))
                .batchSize(batchSize)
                .batchMillis(batchMillis)
                .stateTtl(Duration.ofSeconds(stateTtlSeconds))
                .delivery(Delivery.valueOf(delivery.trim().toUpperCase(Locale.ROOT)))
                .checkpointInterval(Duration.ofMillis(checkpointMillis))
                .parallelism(parallelism)
                .fromEarliest(!fromLatest)
                .client(kafka.settings())
                .trustedUpdateKey(updateKey == null ? null : UpdateSignatures.readPublicKey(updateKey))
                .checkOrder(!noOrderCheck)
                .inputLimits(new InputLimits(maxKeyBytes, InputLimits.DEFAULTS.minEventTime(),
                        InputLimits.DEFAULTS.maxEventTime(), maxTextChars, maxFeatures, maxFrameSide))
                .stateBackend(StateBackend.valueOf(stateBackend.trim().toUpperCase(Locale.ROOT)));
        if (checkpointDir != null) {
            b.checkpointDir(checkpointDir);
        }
        return b;
    }

    /**
     * The initial model: the checkpoint file, else the newest valid update in the topic. With a
     * trusted key and model updates followed, the newest version on the topic signed by that key
     * wins over an older file: it is also what a restored job falls back to when the model in its state
     * fails verification (accepted unsigned before the key was set), and a restored source does not
     * read the versions before its offsets again.
     */
    public ServedSequenceModel initialModel() throws Exception {
        return initialModel(updateKey == null ? null : UpdateSignatures.readPublicKey(updateKey));
    }

    /**
     * As {@link #initialModel()}, with {@code trusted} (X.509 Ed25519; null: none) as the key the
     * topic's versions must be signed by: a job's trust is not always {@code --update-key} (a training
     * job with a signing key trusts that key's public half).
     */
    public ServedSequenceModel initialModel(byte[] trusted) throws Exception {
        if (model == null) {
            return ModelUpdateReader.latest(bootstrap, kafka.settings(), trusted, PipelineTopics.MODEL_UPDATES,
                    modelId, ModelUpdates.DEFAULT_MAX_BYTES, Duration.ofSeconds(30));
        }
        if (!Files.isRegularFile(model)) {
            throw new IllegalArgumentException("no checkpoint at " + model);
        }
        ServedSequenceModel file = ServedSequenceModel.load(Backends.get(), Files.readAllBytes(model), modelId, -1);
        if (trusted == null || noModelUpdates) {
            return file;
        }
        try {
            ServedSequenceModel signed = ModelUpdateReader.latest(bootstrap, kafka.settings(),
                    trusted, PipelineTopics.MODEL_UPDATES, file.modelId(),
                    ModelUpdates.DEFAULT_MAX_BYTES, Duration.ofSeconds(30));
            return newerSigned(file, signed);
        } catch (RuntimeException e) {
            // No signed version yet (or the topic cannot be read now): the operator's own file serves.
            LOG.info("serving {} first: {}", model, e.getMessage());
            return file;
        }
    }

    /** The job config for a model (its input kind follows the model: text for token models). */
    public SequenceJobConfig config(ServedSequenceModel m) throws java.io.IOException {
        SequenceJobConfig.Builder b = m.model().config().tokenInput() ? SequenceJobConfig.builder()
                : SequenceJobConfig.forSteps();
        return common(b)
                .mode(OutputMode.valueOf(mode.trim().toUpperCase(Locale.ROOT)))
                .sessionGap(sessionGapSeconds == null ? null : Duration.ofSeconds(sessionGapSeconds))
                .forecastSteps(forecastSteps)
                .groupId(groupId)
                .transactionalIdPrefix(groupId)
                .followModelUpdates(!noModelUpdates)
                .maxStepsPerEvent(maxStepsPerEvent)
                .build();
    }

    /** The training job's config: the shared settings here, its own in {@code t}; the input is labelled text. */
    public TrainingJobConfig trainingConfig(TrainingOptions t) throws java.io.IOException {
        TrainingJobConfig.Builder b = common(TrainingJobConfig.builder()).maxStepsPerEvent(maxStepsPerEvent);
        if (!DEFAULT_GROUP.equals(groupId)) {
            b.groupId(groupId).transactionalIdPrefix(groupId);
        }
        return t.apply(b).build();
    }

    @Option(names = "--no-smoothing", description = "Frame job: per-frame predictions only, even when the model has a smoother.")
    public boolean noSmoothing;

    /**
     * The frame job's model: the checkpoint file (a CNN, or a CNN with its smoother); with a trusted
     * key, the newest version on the topic that the key signed when it is newer (see {@link #initialModel}).
     */
    public ServedFrameModel initialFrameModel() throws Exception {
        if (model == null || !Files.isRegularFile(model)) {
            throw new IllegalArgumentException("the frame job needs --model FILE (a CNN or frame model checkpoint)"
                    + (model == null ? "" : "; no file at " + model));
        }
        ServedFrameModel file = ServedFrameModel.load(Backends.get(), Files.readAllBytes(model), modelId, -1);
        if (updateKey == null || noModelUpdates) {
            return file;
        }
        try {
            ServedFrameModel signed = ModelUpdateReader.latestFrames(bootstrap, kafka.settings(),
                    UpdateSignatures.readPublicKey(updateKey), PipelineTopics.MODEL_UPDATES, file.modelId(),
                    ModelUpdates.DEFAULT_MAX_BYTES, Duration.ofSeconds(30));
            return newerSigned(file, signed);
        } catch (RuntimeException e) {
            LOG.info("serving {} first: {}", model, e.getMessage());
            return file;
        }
    }

    /** The signed version from the topic when it is newer than the file (else the job would not swap to it either). */
    private <M extends io.streamnet.serving.model.ServedModel<M>> M newerSigned(M file, M signed) {
        if (signed.version() <= file.version()) {
            return file;
        }
        LOG.info("starting from {}, the newest version on {} signed by the trusted key, not {}", signed,
                PipelineTopics.MODEL_UPDATES, model);
        return signed;
    }

    /** The frame job's config from the shared options. */
    public FrameJobConfig frameConfig() throws java.io.IOException {
        // The sequence job's default group would share offsets and transactional ids with it.
        String group = groupId.equals(DEFAULT_GROUP) ? "streamnet-frame-job" : groupId;
        return common(FrameJobConfig.builder())
                .smooth(!noSmoothing)
                .groupId(group)
                .transactionalIdPrefix(group)
                .followModelUpdates(!noModelUpdates)
                .build();
    }

    static InputKind kindOf(ServedSequenceModel m) {
        return m.model().config().tokenInput() ? InputKind.TEXT : InputKind.STEP;
    }
}
