package io.streamnet.bench.pipeline;

import io.streamnet.engine.backend.Backends;
import io.streamnet.engine.checkpoint.Checkpoints;
import io.streamnet.engine.nn.optim.Adam;
import io.streamnet.engine.nn.optim.LearningRateSchedule;
import io.streamnet.flink.training.SequenceTrainingJob;
import io.streamnet.flink.training.TrainingJobConfig;
import io.streamnet.contract.PipelineTopics;
import io.streamnet.kafka.admin.TopicAdmin;
import io.streamnet.contract.TopicSpec;
import io.streamnet.local.kafka.EmbeddedKafka;
import io.streamnet.rnn.cell.CellType;
import io.streamnet.rnn.data.TextCorpus;
import io.streamnet.rnn.model.ModelConfig;
import io.streamnet.rnn.model.OutputType;
import io.streamnet.rnn.model.RnnCheckpoints;
import io.streamnet.rnn.model.SequenceModel;
import io.streamnet.rnn.recipe.CharModelTask;
import io.streamnet.rnn.text.Vocabulary;
import io.streamnet.rnn.train.SequenceBatch;
import io.streamnet.rnn.train.SequenceTrainer;
import io.streamnet.schemas.ModelUpdate;
import io.streamnet.schemas.TextEvent;
import io.streamnet.serving.model.ModelUpdates;
import io.streamnet.serving.model.ServedModel;
import io.streamnet.serving.model.ServedSequenceModel;
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
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Tiny Shakespeare many-to-many, online against offline, same characters: the training text cut
 * into {@value #STREAMS} streams; offline, rnn-core's TBPTT(k1, k2) over them as one batch (one
 * pass, Adam at a constant rate, clipping 5); online, the same streams as {@value #STREAMS} keys
 * sending their characters in chunks of {@value #CHUNK} to the training job (next-token windows
 * of the same k1, k2; a gradient per round of {@value #STREAMS} windows, the same optimizer),
 * paced as a live stream (a gradient about every checkpoint, so the versions it is computed on are
 * at most a commit old). Validation nats per character (the held-out 10% of the text) of the
 * offline model every 50 updates, and of the online versions as they were published.
 */
public final class OnlineCharModelProof {
    static final int STREAMS = 16;
    static final int CHUNK = 64;
    static final int K1 = 32;
    static final int K2 = 64;
    static final float RATE = 2e-3f;
    static final String UPDATES = "charlm-model-updates";

    private OnlineCharModelProof() {
    }

    public static void main(String[] args) throws Exception {
        boolean quick = Arrays.asList(args).contains("--quick");
        int maxChars = quick ? 60_000 : 200_000;
        // Per key: 2 chunks/s make 4 rounds of windows a second, about one gradient per 250 ms checkpoint,
        // so a gradient is computed on weights at most a version or two old (the loop closes at commits).
        double chunksPerSecond = 2;
        String text = TextCorpus.read(TextCorpus.locateTinyShakespeare());
        text = text.substring(0, Math.min(maxChars, text.length()));
        String[] parts = TextCorpus.split(text, 0.9);
        Vocabulary vocab = Vocabulary.chars(text);
        String val = parts[1];
        int[] ids = vocab.encode(parts[0]);
        int[][][] streams = TextCorpus.streams(ids, STREAMS);
        int len = streams[0][0].length;
        ModelConfig config = ModelConfig.tokens(CellType.GRU, vocab.size(), 32, 128, 1, 0f, vocab.size(),
                OutputType.MANY_TO_MANY);
        System.out.printf("Tiny Shakespeare: %d training chars as %d streams of %d, %d validation chars; GRU 32/128; "
                + "TBPTT k1=%d k2=%d; Adam %.0e constant, clip 5%n", ids.length, STREAMS, len, val.length(), K1, K2,
                (double) RATE);

        // ---- offline ----
        SequenceModel offline = new SequenceModel(Backends.get(), config, 3);
        SequenceTrainer t = new SequenceTrainer(offline, new Adam(Backends.get(), LearningRateSchedule.constant(RATE)),
                5f, 3);
        System.out.println("offline: updates | chars seen | validation nats/char");
        double v0 = CharModelTask.natsPerChar(t, vocab, val);
        System.out.printf("offline: %7d | %10d | %.4f%n", 0, 0, v0);
        long t0 = System.nanoTime();
        double[] offlineLast = {v0};
        SequenceBatch batch = SequenceBatch.tokenSteps(Arrays.asList(streams[0]), Arrays.asList(streams[1]));
        t.trainTbptt(batch, K1, K2, (done, total, loss) -> {
            int update = (done + K1 - 1) / K1;
            if (update % 50 == 0 || done == total) {
                offlineLast[0] = CharModelTask.natsPerChar(t, vocab, val);
                System.out.printf("offline: %7d | %10d | %.4f%n", update, (long) done * STREAMS, offlineLast[0]);
            }
        });
        System.out.printf("offline: %.1f s%n", (System.nanoTime() - t0) / 1e9);

        // ---- online ----
        SequenceModel fresh = new SequenceModel(Backends.get(), config, 3);
        byte[] v0bytes = Checkpoints.toBytes(RnnCheckpoints.toCheckpoint(fresh, vocab, Map.of(ServedModel.META_ID,
                "charlm-online", ServedModel.META_VERSION, "0")));
        ServedSequenceModel initial = ServedSequenceModel.load(Backends.get(), v0bytes, "charlm-online", 0);
        try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
            try (Admin admin = Admin.create(kafka.clientProperties())) {
                new TopicAdmin(admin).ensure(PipelineTopics.all(2, (short) 1));
                // Not compacted, unlike model-updates: every version stays to be scored afterwards.
                new TopicAdmin(admin).ensure(List.of(new TopicSpec(UPDATES, 1, (short) 1, Map.of("max.message.bytes",
                        Integer.toString(64 << 20)))));
            }
            TrainingJobConfig c = TrainingJobConfig.builder()
                    .bootstrapServers(kafka.bootstrapServers())
                    .groupId("charlm-online")
                    .transactionalIdPrefix("charlm-online")
                    .parallelism(2)
                    .checkpointInterval(Duration.ofMillis(250))
                    .modelUpdatesTopic(UPDATES)
                    .k1(K1)
                    .maxSteps(K2)
                    .windowsPerGradient(STREAMS)
                    .heldOutShare(0)
                    .learningRate(RATE)
                    .weightDecay(0)
                    .clipNorm(5)
                    .gradientsPerUpdate(4)
                    .publishEvery(Duration.ofSeconds(2))
                    .batchSize(256).build();
            StreamExecutionEnvironment env = PipelineBenchmark.env();
            SequenceTrainingJob.build(env, c, initial);
            JobClient job = env.executeAsync("charlm online");
            long start = System.currentTimeMillis();
            produce(kafka, streams, vocab, chunksPerSecond);
            long sent = System.currentTimeMillis();
            List<ModelUpdate> updates = awaitQuiet(kafka, UPDATES, Duration.ofSeconds(10));
            job.cancel().get();
            System.out.printf("online: stream sent in %.1f s; %d versions%n", (sent - start) / 1000.0, updates.size());
            System.out.println("online: version | s after start | chars learned | validation nats/char");
            double last = Double.NaN;
            long chars = 0;
            for (int i = 0; i < updates.size(); i++) {
                ModelUpdate u = updates.get(i);
                chars += (long) (u.getMetrics().getOrDefault("windows", 0.0) * K1);
                if (i % 5 == 4 || i == updates.size() - 1) {
                    SequenceModel m = ModelUpdates.validate(Backends.get(), u).model();
                    last = CharModelTask.natsPerChar(new SequenceTrainer(m, null, 0f, 0), vocab, val);
                    System.out.printf("online: v%-6d | %13.1f | %13d | %.4f%n", u.getVersion(),
                            (u.getCreatedAt().toEpochMilli() - start) / 1000.0, chars, last);
                }
            }
            System.out.printf("== validation nats/char: offline %.4f, online (last version) %.4f: online/offline = "
                    + "%.3f (from %.4f untrained)%n", offlineLast[0], last, last / offlineLast[0], v0);
        }
    }

    /** Each stream s as key s: its len + 1 tokens (len labelled steps, as offline) in chunks, paced. */
    static void produce(EmbeddedKafka kafka, int[][][] streams, Vocabulary vocab, double chunksPerSecond)
            throws InterruptedException {
        RecordCodec<TextEvent> codec = Codecs.of(TextEvent.class, WireFormat.AVRO);
        int len = streams[0][0].length;
        try (var p = new KafkaProducer<>(kafka.clientProperties(), new StringSerializer(), new ByteArraySerializer())) {
            long t0 = System.nanoTime();
            int round = 0;
            for (int at = 0; at < len + 1; at += CHUNK, round++) {
                for (int s = 0; s < streams[0].length; s++) {
                    int to = Math.min(len + 1, at + CHUNK);
                    List<Integer> chunk = new ArrayList<>();
                    for (int i = at; i < to; i++) {
                        chunk.add(i < len ? streams[0][s][i] : streams[1][s][len - 1]);
                    }
                    String key = "stream-" + s;
                    p.send(new ProducerRecord<>(PipelineTopics.TRAINING_EVENTS, key, codec.encode(TextEvent.newBuilder()
                            .setKey(key).setSeq(round).setEventTime(Instant.now()).setTokenIds(chunk)
                            .setEndOfSequence(to == len + 1).build())));
                }
                p.flush();
                long due = t0 + (long) ((round + 1) / chunksPerSecond * 1e9);
                long wait = due - System.nanoTime();
                if (wait > 0) {
                    Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                }
            }
        }
    }

    /** The committed updates once none has arrived for {@code quiet}. */
    static List<ModelUpdate> awaitQuiet(EmbeddedKafka kafka, String topic, Duration quiet) {
        Properties cp = kafka.clientProperties();
        cp.put(ConsumerConfig.GROUP_ID_CONFIG, "proof-updates-" + topic);
        cp.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        cp.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, Integer.toString(64 << 20));
        List<ModelUpdate> out = new ArrayList<>();
        try (var c = new KafkaConsumer<>(cp, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            TopicPartition tp = new TopicPartition(topic, 0);
            c.assign(List.of(tp));
            c.seekToBeginning(List.of(tp));
            long lastArrival = System.nanoTime();
            while (System.nanoTime() - lastArrival < quiet.toNanos()) {
                for (var r : c.poll(Duration.ofMillis(200))) {
                    out.add(ModelUpdates.codec(ModelUpdates.DEFAULT_MAX_BYTES).decode(r.value()));
                    lastArrival = System.nanoTime();
                }
            }
        }
        return out;
    }
}
