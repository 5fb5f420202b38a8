package io.streamnet.cli.jobs;

import io.streamnet.kafka.client.KafkaClientOptions;
import io.streamnet.engine.backend.Backends;
import io.streamnet.contract.PipelineTopics;
import io.streamnet.kafka.model.ModelUpdatePublisher;
import io.streamnet.serving.model.ModelUpdates;
import io.streamnet.serving.model.ServedSequenceModel;
import io.streamnet.serving.model.UpdateHeader;
import io.streamnet.serving.model.UpdateSignatures;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * Publishes a checkpoint as a new model version on the model-updates topic (keyed id@version: no
 * record replaces another there); running jobs swap to it.
 */
@Command(name = "publish-model", mixinStandardHelpOptions = true,
        description = "Publish a checkpoint to the model-updates topic as a new version; running jobs swap to it between batches.")
public final class PublishModelCommand implements Callable<Integer> {
    @Option(names = "--model", required = true, description = "Checkpoint file.")
    Path model;

    @Option(names = "--model-id", description = "Model id (default: the checkpoint's).")
    String modelId;

    @Option(names = "--version", required = true, description = "Version; jobs only take versions newer than the one serving.")
    long version;

    @Option(names = "--bootstrap", defaultValue = "127.0.0.1:9092", description = "Kafka bootstrap servers (default ${DEFAULT-VALUE}).")
    String bootstrap;

    @Mixin
    KafkaClientOptions kafka = new KafkaClientOptions();

    @Option(names = "--sign-key", paramLabel = "FILE",
            description = "Ed25519 private key (PEM, from 'streamnet keygen'): jobs with the matching --update-key accept only signed updates.")
    Path signKey;

    @Override
    public Integer call() throws Exception {
        // Validate here first: a bad file is refused at the door, not by every job that reads the topic.
        if (version < 0 || version > UpdateHeader.MAX_VERSION) {
            throw new IllegalArgumentException("--version must be 0 to " + UpdateHeader.MAX_VERSION + ", got " + version);
        }
        if (Files.size(model) > ModelUpdates.DEFAULT_MAX_BYTES) {
            throw new IllegalArgumentException(model + " is " + Files.size(model) + " bytes; a model update holds at most "
                    + ModelUpdates.DEFAULT_MAX_BYTES);
        }
        ServedSequenceModel m = ServedSequenceModel.load(Backends.get(), Files.readAllBytes(model), modelId, version);
        Properties client = kafka.client(bootstrap);
        var key = signKey == null ? null : UpdateSignatures.readPrivateKey(signKey);
        ModelUpdatePublisher.publish(client, PipelineTopics.MODEL_UPDATES, m, Map.of(), key);
        System.out.printf("published %s (%d bytes, %s) to %s, key %s%n", m, m.checkpoint().length,
                key == null ? "unsigned" : "signed", PipelineTopics.MODEL_UPDATES, ModelUpdates.key(m.modelId(), m.version()));
        return 0;
    }
}
