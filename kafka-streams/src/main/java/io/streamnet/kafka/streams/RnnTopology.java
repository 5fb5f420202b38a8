package io.streamnet.kafka.streams;

import io.streamnet.contract.ClientProperties;
import io.streamnet.rnn.model.SequenceModel;
import io.streamnet.rnn.text.Vocabulary;
import io.streamnet.schemas.DeadLetter;
import io.streamnet.schemas.Prediction;
import io.streamnet.serving.model.ModelUpdates;
import io.streamnet.serving.model.ServedSequenceModel;
import io.streamnet.serving.wire.Codecs;
import io.streamnet.serving.wire.RecordCodec;
import io.streamnet.serving.wire.WireFormat;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.state.Stores;

/**
 * The Kafka Streams app: input topic (raw bytes, so that undecodable records reach the processor
 * and are dead-lettered rather than failing the task) -> per-key sequence processor with a
 * persistent, changelogged state store -> predictions (Avro) and dead letters (Avro); the
 * model-updates topic feeds a global store from which each task takes newer models. Exactly-once v2.
 */
public final class RnnTopology {
    static final String STATE_STORE = "rnn-state";
    /** Per open key: the seq of its last event stepped and when it was last written ({@link KeyMeta}). */
    static final String KEY_META_STORE = "rnn-key-meta";
    static final String PREDICTIONS_SINK = "predictions";
    static final String DEAD_LETTER_SINK = "dead-letters";
    static final String MODEL_STORE = "model-updates";
    /** Per task: the model it serves once an update swapped in, so that a restart serves it again. */
    static final String SERVING_STORE = "serving-model";
    /** A served model's checkpoint travels in the serving store's changelog: room for the largest update. */
    static final int MAX_MODEL_RECORD = ModelUpdates.DEFAULT_MAX_BYTES + (1 << 20);

    private RnnTopology() {
    }

    /** The app over a model in memory, served as {@code config}'s model id and version. */
    public static Topology build(SequenceModel model, Vocabulary vocabulary, StreamsAppConfig config) {
        if (model.config().tokenInput() && (vocabulary == null || vocabulary.size() != model.config().vocabSize())) {
            throw new IllegalArgumentException("a token model needs its own vocabulary of " + model.config().vocabSize()
                    + " tokens, got " + (vocabulary == null ? "none" : vocabulary.size()));
        }
        return build(new ServedSequenceModel(config.modelId(), config.modelVersion(), new byte[0], model, vocabulary),
                config);
    }

    /** The app over a validated model: its predictions carry the model's id and version. */
    public static Topology build(ServedSequenceModel served, StreamsAppConfig config) {
        String why = config.mode().incompatibility(served.model());
        if (why != null) {
            throw new IllegalArgumentException("model " + served + " cannot be served " + config.mode() + ": " + why);
        }
        RecordCodec<Prediction> predictions = Codecs.of(Prediction.class, WireFormat.AVRO);
        RecordCodec<DeadLetter> deadLetters = Codecs.of(DeadLetter.class, WireFormat.AVRO);
        Topology t = new Topology();
        t.addSource("input", Serdes.String().deserializer(), Serdes.ByteArray().deserializer(), config.inputTopic());
        t.addProcessor("rnn", () -> new RnnInferenceProcessor(served, config), "input");
        t.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(STATE_STORE), Serdes.String(),
                Serdes.ByteArray()), "rnn");
        t.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(KEY_META_STORE), Serdes.String(),
                Serdes.ByteArray()), "rnn");
        if (config.modelUpdatesTopic() != null) {
            t.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(SERVING_STORE), Serdes.String(),
                    Serdes.ByteArray()).withLoggingEnabled(Map.of(TopicConfig.MAX_MESSAGE_BYTES_CONFIG,
                    Integer.toString(MAX_MODEL_RECORD))), "rnn");
            // A global store: every task sees every update, whatever the partitioning of the input.
            t.addGlobalStore(Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(MODEL_STORE), Serdes.String(),
                            Serdes.ByteArray()).withLoggingDisabled(), "model-updates-source",
                    Serdes.String().deserializer(), Serdes.ByteArray().deserializer(), config.modelUpdatesTopic(),
                    "model-updates", () -> new ModelUpdateStore(served.modelId(), config.trustedKey()));
        }
        t.addSink(PREDICTIONS_SINK, config.outputTopic(), Serdes.String().serializer(),
                (Serializer<Object>) (topic, v) -> predictions.encode((Prediction) v), "rnn");
        t.addSink(DEAD_LETTER_SINK, config.deadLetterTopic(), Serdes.String().serializer(),
                (Serializer<Object>) (topic, v) -> deadLetters.encode((DeadLetter) v), "rnn");
        return t;
    }

    /** Streams properties for {@code bootstrap}: exactly-once v2, state under {@code stateDir}. */
    public static Properties properties(StreamsAppConfig config, String bootstrap, String stateDir) {
        return properties(config, bootstrap, stateDir, ClientProperties.NONE);
    }

    /** As above, with the user's client settings (SASL, SSL) over them, for every client Streams makes. */
    public static Properties properties(StreamsAppConfig config, String bootstrap, String stateDir,
                                        ClientProperties client) {
        Properties p = new Properties();
        p.put(StreamsConfig.APPLICATION_ID_CONFIG, config.applicationId());
        p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        p.put(StreamsConfig.STATE_DIR_CONFIG, stateDir);
        p.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, "200");
        if (config.modelUpdatesTopic() != null) {
            p.put(StreamsConfig.producerPrefix(ProducerConfig.MAX_REQUEST_SIZE_CONFIG), Integer.toString(MAX_MODEL_RECORD));
            p.put(StreamsConfig.globalConsumerPrefix(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG),
                    Integer.toString(MAX_MODEL_RECORD));
        }
        return client.over(p);
    }
}
