package io.streamnet.flink.sequence;

import io.streamnet.contract.PipelineTopics;
import io.streamnet.flink.job.KafkaJobConfigBuilder;
import io.streamnet.kafka.admin.TopicAdmin;
import io.streamnet.local.kafka.EmbeddedKafka;
import io.streamnet.schemas.DeadLetter;
import io.streamnet.schemas.Prediction;
import io.streamnet.schemas.TextEvent;
import io.streamnet.serving.wire.Codecs;
import io.streamnet.serving.wire.RecordCodec;
import io.streamnet.serving.wire.WireFormat;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.function.IntFunction;
import java.util.function.Predicate;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/** A real broker with the pipeline's topics, and what the tests write to and read from it. */
public final class PipelineFixture implements AutoCloseable {
    public final EmbeddedKafka kafka;
    private final RecordCodec<TextEvent> text = Codecs.of(TextEvent.class, WireFormat.AVRO);
    private final RecordCodec<Prediction> predictions = Codecs.of(Prediction.class, WireFormat.AVRO);
    private final RecordCodec<DeadLetter> deadLetters = Codecs.of(DeadLetter.class, WireFormat.AVRO);

    public PipelineFixture(int partitions) throws InterruptedException {
        this(partitions, null);
    }

    /** With {@code sasl}, the broker admits only its user; the fixture's clients and job configs carry the credentials. */
    public PipelineFixture(int partitions, EmbeddedKafka.Sasl sasl) throws InterruptedException {
        this(1, partitions, sasl);
    }

    /** {@code brokers} nodes; every topic replicated to min(3, brokers) of them (min ISR 2 from 3 nodes up). */
    public static PipelineFixture cluster(int brokers, int partitions) throws InterruptedException {
        return new PipelineFixture(brokers, partitions, null);
    }

    private PipelineFixture(int brokers, int partitions, EmbeddedKafka.Sasl sasl) throws InterruptedException {
        kafka = EmbeddedKafka.start(brokers, null, sasl);
        try (Admin admin = Admin.create(kafka.clientProperties())) {
            new TopicAdmin(admin).ensure(PipelineTopics.all(partitions, (short) Math.min(3, brokers)));
        }
    }

    public SequenceJobConfig.Builder config(String group) {
        return configure(SequenceJobConfig.builder(), group);
    }

    /** Points a job config at this broker, with a fast checkpoint interval. */
    public <B extends KafkaJobConfigBuilder<?, B>> B configure(B b, String group) {
        return b.bootstrapServers(kafka.bootstrapServers())
                .client(kafka.credentials())
                .groupId(group)
                .transactionalIdPrefix(group)
                .checkpointInterval(Duration.ofMillis(500))
                .transactionTimeout(Duration.ofMinutes(5));
    }

    public KafkaProducer<String, byte[]> producer() {
        Properties p = kafka.clientProperties();
        p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, Integer.toString(16 << 20));
        return new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
    }

    public void send(String topic, String key, byte[] value) {
        try (var p = producer()) {
            p.send(new ProducerRecord<>(topic, key, value));
            p.flush();
        }
    }

    /** One TextEvent per word of each conversation, interleaved as concurrent users would send them. */
    int produceWords(List<String[]> conversations, List<Integer> labels, int fromWord, int toWord) {
        int n = 0;
        int longest = conversations.stream().mapToInt(w -> w.length).max().orElse(0);
        try (var p = producer()) {
            for (int i = fromWord; i < Math.min(toWord, longest); i++) {
                for (int c = 0; c < conversations.size(); c++) {
                    String[] words = conversations.get(c);
                    if (i >= words.length) {
                        continue;
                    }
                    boolean last = i == words.length - 1;
                    String key = "conv-" + c;
                    p.send(new ProducerRecord<>(PipelineTopics.TEXT_EVENTS, key, text.encode(TextEvent.newBuilder()
                            .setKey(key).setSeq(i).setEventTime(Instant.ofEpochMilli(1_700_000_000_000L + i))
                            .setText(words[i]).setLabel(last ? labels.get(c) : null).setEndOfSequence(last).build())));
                    n++;
                }
            }
            p.flush();
        }
        return n;
    }

    public List<Prediction> readPredictions(int atLeast, Duration timeout) {
        List<Prediction> out = new ArrayList<>();
        read(PipelineTopics.PREDICTIONS, atLeast, timeout, b -> out.add(predictions.decode(b)));
        return out;
    }

    public List<DeadLetter> readDeadLetters(int atLeast, Duration timeout) {
        List<DeadLetter> out = new ArrayList<>();
        read(PipelineTopics.DEAD_LETTERS, atLeast, timeout, b -> out.add(deadLetters.decode(b)));
        return out;
    }

    /** Reads committed records from the start until {@code atLeast} came and the topic stays quiet for a second. */
    private void read(String topic, int atLeast, Duration timeout, java.util.function.Consumer<byte[]> sink) {
        Properties cp = kafka.clientProperties();
        cp.put(ConsumerConfig.GROUP_ID_CONFIG, "check-" + topic + "-" + System.nanoTime());
        cp.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        cp.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        int seen = 0;
        long deadline = System.nanoTime() + timeout.toNanos();
        long quietSince = System.nanoTime();
        try (var c = new KafkaConsumer<>(cp, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            c.subscribe(List.of(topic));
            while (System.nanoTime() < deadline) {
                var records = c.poll(Duration.ofMillis(200));
                for (var r : records) {
                    sink.accept(r.value());
                    seen++;
                }
                if (!records.isEmpty()) {
                    quietSince = System.nanoTime();
                } else if (seen >= atLeast && System.nanoTime() - quietSince > 1_000_000_000L) {
                    return;
                }
            }
        }
    }

    /**
     * Sends probes ({@code probe.apply(i)}, the i-th; each gets one prediction) every half second until
     * one is answered by model {@code version}: from then on a job of one subtask serves it. Returns
     * the number of probes sent.
     */
    public int awaitServedVersion(long version, Duration timeout, IntFunction<ProducerRecord<String, byte[]>> probe) {
        Properties cp = kafka.clientProperties();
        cp.put(ConsumerConfig.GROUP_ID_CONFIG, "probe-reader-" + System.nanoTime());
        cp.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        cp.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        long deadline = System.nanoTime() + timeout.toNanos();
        int sent = 0;
        try (var c = new KafkaConsumer<>(cp, new ByteArrayDeserializer(), new ByteArrayDeserializer());
             var p = producer()) {
            c.subscribe(List.of(PipelineTopics.PREDICTIONS));
            long nextProbe = 0;
            while (System.nanoTime() < deadline) {
                if (System.nanoTime() >= nextProbe) {
                    p.send(probe.apply(sent++));
                    p.flush();
                    nextProbe = System.nanoTime() + 500_000_000L;
                }
                for (var r : c.poll(Duration.ofMillis(100))) {
                    if (predictions.decode(r.value()).getModelVersion() == version) {
                        return sent;
                    }
                }
            }
        }
        throw new AssertionError("no prediction by model version " + version + " within " + timeout);
    }

    static <T> long count(List<T> list, Predicate<T> p) {
        return list.stream().filter(p).count();
    }

    @Override
    public void close() {
        kafka.close();
    }
}
