package io.streamnet.cli.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamnet.engine.cpu.CpuBackend;
import io.streamnet.contract.PipelineTopics;
import io.streamnet.kafka.admin.TopicAdmin;
import io.streamnet.local.kafka.EmbeddedKafka;
import io.streamnet.kafka.model.ModelUpdatePublisher;
import io.streamnet.rnn.model.OutputType;
import io.streamnet.serving.model.ModelUpdates;
import io.streamnet.serving.frame.FrameFixtures;
import io.streamnet.serving.model.PoisonModels;
import io.streamnet.serving.model.ServedFrameModel;
import io.streamnet.serving.model.ServedSequenceModel;
import io.streamnet.serving.model.UpdateHeader;
import io.streamnet.serving.model.UpdateSignatures;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * A job started with a checkpoint file and a trusted key serves first the newest version on
 * model-updates that the key signed: that is the model a restored job falls back to when the one in
 * its state fails verification, since its restored source does not read earlier versions again.
 */
class InitialModelTrustTest {
    private static final byte[] CHECKPOINT = PoisonModels.bytes(PoisonModels.healthy(OutputType.MANY_TO_ONE));
    /** The version the checkpoint file carries in its metadata. */
    private static final long FILE_VERSION = 1;
    private static final KeyPair KEY = UpdateSignatures.generate();
    private static EmbeddedKafka kafka;

    @TempDir
    Path dir;

    @BeforeAll
    static void start() throws Exception {
        kafka = EmbeddedKafka.start();
        try (Admin admin = Admin.create(kafka.clientProperties())) {
            new TopicAdmin(admin).ensure(PipelineTopics.all(1, (short) 1));
        }
    }

    @AfterAll
    static void stop() {
        if (kafka != null) {
            kafka.close();
        }
    }

    @Test
    void theNewestSignedVersionOnTheTopicServesFirstAndAnUnsignedHigherOneDoesNot() throws Exception {
        publishSigned("signed-first", 3);
        publishUnsigned("signed-first", 5);

        ServedSequenceModel first = options("signed-first", true).initialModel();

        assertThat(first.version()).isEqualTo(3);
    }

    @Test
    void withNoSignedVersionOnTheTopicTheFileServes() throws Exception {
        publishUnsigned("file-first", 5);

        ServedSequenceModel first = options("file-first", true).initialModel();

        assertThat(first.version()).isEqualTo(FILE_VERSION);
    }

    @Test
    void aFileNewerThanEverySignedVersionServesFirst() throws Exception {
        publishSigned("file-newer", FILE_VERSION - 1);

        ServedSequenceModel first = options("file-newer", true).initialModel();

        assertThat(first.version()).isEqualTo(FILE_VERSION);
    }

    @Test
    void withoutATrustedKeyTheFileServesWhateverTheTopicHolds() throws Exception {
        publishSigned("no-key", 4);

        ServedSequenceModel first = options("no-key", false).initialModel();

        assertThat(first.version()).isEqualTo(FILE_VERSION);
    }

    @Test
    void aTrainingJobWithOnlyASigningKeyStartsFromTheNewestVersionItsKeySigned() throws Exception {
        publishSigned("train-signed", 3);
        publishUnsigned("train-signed", 5); // weights of anyone's choosing: the owner would sign what it learns on them

        ServedSequenceModel start = RunCommand.trainingStart(topicOnly("train-signed"), signingKey());

        assertThat(start.version()).isEqualTo(3);
    }

    @Test
    void anUnsignedHigherVersionDoesNotStopATrainingJobThatSigns() throws Exception {
        publishUnsigned("train-file", UpdateHeader.MAX_VERSION);
        Path file = Files.write(dir.resolve("train-file.ckpt"), CHECKPOINT);

        ServedSequenceModel start = RunCommand.trainingStart(topicOnly("train-file", "--model", file.toString()),
                signingKey());

        assertThat(start.version()).isEqualTo(FILE_VERSION);
    }

    /** Options as the command line makes them (its defaults too). */
    private static JobOptions topicOnly(String modelId, String... more) {
        List<String> args = new ArrayList<>(List.of("--bootstrap", kafka.bootstrapServers(), "--model-id", modelId));
        args.addAll(List.of(more));
        return CommandLine.populateCommand(new JobOptions(), args.toArray(String[]::new));
    }

    private TrainingOptions signingKey() throws Exception {
        Path key = dir.resolve("sign.key.pem");
        UpdateSignatures.write(KEY, dir.resolve("sign.pub.pem"), key);
        return CommandLine.populateCommand(new TrainingOptions(), "--sign-key", key.toString());
    }

    @Test
    void aFrameJobStartsFromTheNewestSignedFrameModelOnTheTopic() throws Exception {
        byte[] frames = FrameFixtures.bytes(FrameFixtures.cnn(1), null, "cams", 1);
        ModelUpdatePublisher.publish(kafka.clientProperties(), PipelineTopics.MODEL_UPDATES,
                ServedFrameModel.load(CpuBackend.instance(), frames, "cams", 3), Map.of(), KEY.getPrivate());
        JobOptions o = options("cams", true);
        o.model = Files.write(dir.resolve("cams.ckpt"), frames);

        assertThat(o.initialFrameModel().version()).isEqualTo(3);
    }

    private JobOptions options(String modelId, boolean trustKey) throws Exception {
        JobOptions o = new JobOptions();
        o.bootstrap = kafka.bootstrapServers();
        o.modelId = modelId;
        o.model = Files.write(dir.resolve(modelId + ".ckpt"), CHECKPOINT);
        if (trustKey) {
            Path pub = dir.resolve("update.pub.pem");
            UpdateSignatures.write(KEY, pub, dir.resolve("update.key.pem"));
            o.updateKey = pub;
        }
        return o;
    }

    private static void publishSigned(String modelId, long version) throws Exception {
        ModelUpdatePublisher.publish(kafka.clientProperties(), PipelineTopics.MODEL_UPDATES,
                ServedSequenceModel.load(CpuBackend.instance(), CHECKPOINT, modelId, version), Map.of(),
                KEY.getPrivate());
    }

    private static void publishUnsigned(String modelId, long version) throws Exception {
        Properties p = kafka.clientProperties();
        p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, Integer.toString(ModelUpdates.DEFAULT_MAX_BYTES));
        try (var producer = new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer())) {
            producer.send(new ProducerRecord<>(PipelineTopics.MODEL_UPDATES, ModelUpdates.key(modelId, version),
                    ModelUpdates.codec(ModelUpdates.DEFAULT_MAX_BYTES)
                            .encode(ModelUpdates.toUpdate(modelId, version, CHECKPOINT, Map.of())))).get();
        }
    }
}
