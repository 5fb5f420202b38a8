package io.streamnet.bench.pipeline;

import io.streamnet.engine.backend.Backends;
import io.streamnet.engine.checkpoint.Checkpoints;
import io.streamnet.flink.job.KafkaJobConfigBuilder;
import io.streamnet.flink.sequence.SequenceJob;
import io.streamnet.flink.sequence.SequenceJobConfig;
import io.streamnet.flink.training.SequenceTrainingJob;
import io.streamnet.flink.training.TrainingJobConfig;
import io.streamnet.contract.PipelineTopics;
import io.streamnet.kafka.admin.TopicAdmin;
import io.streamnet.contract.TopicSpec;
import io.streamnet.local.kafka.EmbeddedKafka;
import io.streamnet.rnn.cell.CellType;
import io.streamnet.rnn.data.LabelledSentence;
import io.streamnet.rnn.data.SentimentDataset;
import io.streamnet.rnn.model.ModelConfig;
import io.streamnet.rnn.model.OutputType;
import io.streamnet.rnn.model.RnnCheckpoints;
import io.streamnet.rnn.model.SequenceModel;
import io.streamnet.rnn.text.Vocabulary;
import io.streamnet.rnn.text.WordTokenizer;
import io.streamnet.schemas.TextEvent;
import io.streamnet.serving.model.ServedModel;
import io.streamnet.serving.model.ServedSequenceModel;
import io.streamnet.serving.sequence.OutputMode;
import io.streamnet.serving.wire.Codecs;
import io.streamnet.serving.wire.RecordCodec;
import io.streamnet.serving.wire.WireFormat;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Online training beside inference on the same machine, same data: the UCI sentiment sentences as
 * labelled conversations, one TextEvent per word, repeated with fresh keys into one backlog. The
 * sequence inference job (MANY_TO_ONE, batches of 64) and the training job (the same batching, 32
 * sequences per gradient, the model owner publishing every 4) each work through the whole backlog
 * as a bounded job, alternately: a warm-up round, then three; medians of events/s over each job's
 * net runtime (source start-up included, the same for both). Same GRU
 * (the sentiment recipe's architecture), parallelism 2, exactly-once sinks.
 */
public final class TrainingPipelineBenchmark {
    private static final int ROUNDS = 3;

    private TrainingPipelineBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        boolean quick = Arrays.asList(args).contains("--quick");
        int repeats = quick ? 2 : 6;
        List<LabelledSentence> all = SentimentDataset.loadAll(SentimentDataset.locate());
        Vocabulary vocab = Vocabulary.words(all.stream().map(LabelledSentence::text).toList(), 4000, 1);
        SequenceModel model = new SequenceModel(Backends.get(), ModelConfig.tokens(CellType.GRU, vocab.size(), 32, 64, 1,
                0f, 2, OutputType.MANY_TO_ONE), 3);
        byte[] bytes = Checkpoints.toBytes(RnnCheckpoints.toCheckpoint(model, vocab, Map.of(ServedModel.META_ID,
                "bench-sentiment", ServedModel.META_VERSION, "0")));
        ServedSequenceModel served = ServedSequenceModel.load(Backends.get(), bytes, "bench-sentiment", 0);
        try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
            try (Admin admin = Admin.create(kafka.clientProperties())) {
                new TopicAdmin(admin).ensure(PipelineTopics.all(2, (short) 1));
                List<TopicSpec> more = new ArrayList<>();
                for (int r = 0; r <= ROUNDS; r++) {
                    more.add(new TopicSpec("bench-predictions-" + r, 2, (short) 1, Map.of()));
                    more.add(new TopicSpec("bench-model-updates-" + r, 1, (short) 1, Map.of("max.message.bytes",
                            Integer.toString(64 << 20))));
                }
                new TopicAdmin(admin).ensure(more);
            }
            long events = produce(kafka, all, repeats);
            System.out.printf("backlog: %d word events (%d sentences x %d), GRU 32/64 over %d words%n", events,
                    all.size(), repeats, vocab.size());
            List<Double> inference = new ArrayList<>();
            List<Double> training = new ArrayList<>();
            for (int round = 0; round <= ROUNDS; round++) {
                double inf = rate(events, runInference(kafka, served, round));
                double tr = rate(events, runTraining(kafka, served, round));
                System.out.printf("round %d%s: inference %.0f events/s, training %.0f events/s%n", round,
                        round == 0 ? " (warm-up, not counted)" : "", inf, tr);
                if (round > 0) {
                    inference.add(inf);
                    training.add(tr);
                }
            }
            double inf = median(inference);
            double tr = median(training);
            System.out.printf("median: inference %.0f events/s, training %.0f events/s: training runs at %.2f x "
                    + "inference%n", inf, tr, tr / inf);
        }
    }

    static long produce(EmbeddedKafka kafka, List<LabelledSentence> all, int repeats) throws InterruptedException {
        return produce(kafka, PipelineTopics.TEXT_EVENTS, all, repeats, "r", 0, Long.MAX_VALUE);
    }

    /**
     * The sentences {@code repeats} times as conversations (key {@code prefix + repeat + "-conv-" + i},
     * one TextEvent per word, the label on the last), at most {@code max} events, paced at
     * {@code rate} events/s when rate > 0; returns the number written.
     */
    static long produce(EmbeddedKafka kafka, String topic, List<LabelledSentence> all, int repeats, String prefix,
                        int rate, long max) throws InterruptedException {
        RecordCodec<TextEvent> codec = Codecs.of(TextEvent.class, WireFormat.AVRO);
        long n = 0;
        long start = System.nanoTime();
        try (var p = new KafkaProducer<>(kafka.clientProperties(), new StringSerializer(), new ByteArraySerializer())) {
            for (int r = 0; r < repeats && n < max; r++) {
                for (int s = 0; s < all.size() && n < max; s++) {
                    List<String> words = WordTokenizer.tokenize(all.get(s).text());
                    String key = prefix + r + "-conv-" + s;
                    for (int i = 0; i < words.size(); i++) {
                        if (rate > 0) {
                            long wait = start + (long) (n * 1e9 / rate) - System.nanoTime();
                            if (wait > 0) {
                                Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                            }
                        }
                        boolean last = i == words.size() - 1;
                        byte[] v = codec.encode(TextEvent.newBuilder().setKey(key).setSeq(i)
                                .setEventTime(Instant.now()).setText(words.get(i))
                                .setLabel(last ? all.get(s).label() : null).setEndOfSequence(last).build());
                        p.send(new ProducerRecord<>(topic, key, v));
                        n++;
                    }
                }
            }
            p.flush();
        }
        return n;
    }

    static <B extends KafkaJobConfigBuilder<?, B>> B common(B b, EmbeddedKafka kafka, String group) {
        return b.bootstrapServers(kafka.bootstrapServers())
                .inputTopic(PipelineTopics.TEXT_EVENTS)
                .groupId(group)
                .transactionalIdPrefix(group)
                .parallelism(2)
                .bounded(true)
                .fromEarliest(true)
                .checkpointInterval(Duration.ofSeconds(2));
    }

    static JobExecutionResult runInference(EmbeddedKafka kafka, ServedSequenceModel m, int round) throws Exception {
        SequenceJobConfig c = common(SequenceJobConfig.builder(), kafka, "bench-infer-" + round)
                .mode(OutputMode.MANY_TO_ONE)
                .followModelUpdates(false)
                .predictionsTopic("bench-predictions-" + round)
                .build();
        StreamExecutionEnvironment env = PipelineBenchmark.env();
        SequenceJob.build(env, c, m);
        return env.execute("bench inference " + round);
    }

    static JobExecutionResult runTraining(EmbeddedKafka kafka, ServedSequenceModel m, int round) throws Exception {
        TrainingJobConfig c = common(TrainingJobConfig.builder(), kafka, "bench-train-" + round)
                .modelUpdatesTopic("bench-model-updates-" + round)
                .build();
        StreamExecutionEnvironment env = PipelineBenchmark.env();
        SequenceTrainingJob.build(env, c, m);
        return env.execute("bench training " + round);
    }

    private static double rate(long events, JobExecutionResult r) {
        return events / (r.getNetRuntime() / 1000.0);
    }

    private static double median(List<Double> xs) {
        double[] s = xs.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }
}
