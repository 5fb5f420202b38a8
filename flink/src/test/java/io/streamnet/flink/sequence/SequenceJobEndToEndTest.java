package io.streamnet.flink.sequence;

import static io.streamnet.datasets.DatasetAssumptions.assumeAvailable;
import static org.assertj.core.api.Assertions.assertThat;

import io.streamnet.engine.checkpoint.Checkpoints;
import io.streamnet.engine.cpu.CpuBackend;
import io.streamnet.contract.PipelineTopics;
import io.streamnet.rnn.cell.CellType;
import io.streamnet.rnn.data.LabelledSentence;
import io.streamnet.rnn.data.SentimentDataset;
import io.streamnet.rnn.model.RnnCheckpoints;
import io.streamnet.rnn.model.SequenceModel;
import io.streamnet.rnn.recipe.SentimentTask;
import io.streamnet.rnn.state.RnnState;
import io.streamnet.rnn.text.WordTokenizer;
import io.streamnet.rnn.train.SequenceClassification;
import io.streamnet.rnn.train.SequenceTrainer;
import io.streamnet.schemas.DeadLetter;
import io.streamnet.schemas.Prediction;
import io.streamnet.schemas.PredictionKind;
import io.streamnet.serving.model.ModelUpdates;
import io.streamnet.serving.model.ServedSequenceModel;
import io.streamnet.serving.wire.Codecs;
import io.streamnet.serving.wire.WireFormat;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The whole sequence job on a real broker and a Flink MiniCluster, exactly-once: the sentiment
 * test split replayed word by word as live conversations gets one MANY_TO_ONE prediction per
 * conversation, with the probabilities rnn-core gives for the same checkpoint, and the same
 * accuracy as rnn-core's evaluation; bad records end up as dead letters, not as failures.
 */
class SequenceJobEndToEndTest {
    private static SentimentTask.Result trained;
    private static List<LabelledSentence> test;

    @BeforeAll
    static void trainASmallSentimentModel() throws Exception {
        // A short schedule: the point is the stream giving rnn-core's answers, not the accuracy itself.
        trained = SentimentTask.train(CpuBackend.instance(), assumeAvailable(SentimentDataset::locate),
                new SentimentTask.Options(CellType.GRU, 16, 32, 1, 0f, 2, 32, 3e-3f, 2000, 3),
                SequenceClassification.Listener.NONE);
        test = SentimentDataset.split(SentimentDataset.loadAll(assumeAvailable(SentimentDataset::locate)), 0.7, 0.15,
                SentimentTask.SPLIT_SEED).test();
    }

    private static byte[] checkpoint() throws Exception {
        return Checkpoints.toBytes(RnnCheckpoints.toCheckpoint(trained.model(), trained.vocabulary(),
                Map.of(ServedSequenceModel.META_ID, "sentiment", ServedSequenceModel.META_VERSION, "1")));
    }

    @Test
    void theTestSplitStreamedThroughTheJobGetsRnnCoresAnswersExactlyOnce() throws Exception {
        List<String[]> conversations = new ArrayList<>();
        List<Integer> labels = new ArrayList<>();
        List<int[]> ids = new ArrayList<>();
        for (LabelledSentence s : test) {
            List<String> words = WordTokenizer.tokenize(s.text());
            if (!words.isEmpty()) {
                conversations.add(words.toArray(String[]::new));
                labels.add(s.label());
                ids.add(trained.vocabulary().encode(s.text()));
            }
        }
        byte[] bytes = checkpoint();
        try (PipelineFixture f = new PipelineFixture(2)) {
            int events = f.produceWords(conversations, labels, 0, Integer.MAX_VALUE);
            // Bad input among the good: bytes that are no Avro, and an event for a model update of the wrong kind.
            f.send(PipelineTopics.TEXT_EVENTS, "junk", "not avro at all".getBytes(StandardCharsets.UTF_8));
            f.send(PipelineTopics.TEXT_EVENTS, null, new byte[0]);
            f.send(PipelineTopics.MODEL_UPDATES, "sentiment", Codecs.of(io.streamnet.schemas.ModelUpdate.class,
                    WireFormat.AVRO).encode(ModelUpdates.toUpdate("sentiment", 1, bytes, Map.of())));

            SequenceJobConfig c = f.config("e2e")
                    .bounded(true)
                    .parallelism(2)
                    .batchSize(32)
                    .mode(io.streamnet.serving.sequence.OutputMode.MANY_TO_ONE).build();
            StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
            SequenceJob.build(env, c, ServedSequenceModel.load(CpuBackend.instance(), bytes, null, -1));
            long t0 = System.nanoTime();
            env.execute(SequenceJob.NAME);
            System.out.printf("sequence job: %d events, %d conversations in %.1f s (MiniCluster start included)%n",
                    events, conversations.size(), (System.nanoTime() - t0) / 1e9);

            List<Prediction> got = f.readPredictions(conversations.size(), Duration.ofSeconds(60));
            Map<String, Prediction> byKey = new HashMap<>();
            for (Prediction p : got) {
                assertThat(byKey.put(p.getKey(), p)).as("second prediction for %s", p.getKey()).isNull();
                assertThat(p.getKind()).isEqualTo(PredictionKind.MANY_TO_ONE);
            }
            assertThat(byKey).hasSize(conversations.size());

            SequenceModel m = trained.model();
            int correct = 0;
            for (int i = 0; i < conversations.size(); i++) {
                Prediction p = byKey.get("conv-" + i);
                RnnState s = m.initialState();
                float[] want = null;
                for (String w : conversations.get(i)) {
                    for (int id : trained.vocabulary().encode(w)) {
                        SequenceModel.StepResult r = m.step(s, id);
                        s = r.state();
                        want = r.output();
                    }
                }
                assertThat(p.getProbabilities()).as("conv-%d", i).containsExactly(want[0], want[1]);
                assertThat(p.getTrueLabel()).isEqualTo(labels.get(i));
                correct += p.getLabel() == labels.get(i) ? 1 : 0;
            }
            double streamed = correct / (double) conversations.size();
            double evaluated = SequenceClassification.accuracy(new SequenceTrainer(m, null, 0f, 0), ids,
                    labels.stream().mapToInt(Integer::intValue).toArray(), 64);
            System.out.printf("test split: streamed accuracy %.4f, rnn-core evaluation %.4f (%d sentences)%n",
                    streamed, evaluated, conversations.size());
            assertThat(streamed).isEqualTo(evaluated);

            List<DeadLetter> dead = f.readDeadLetters(2, Duration.ofSeconds(30));
            assertThat(dead).extracting(d -> d.getReason().toString()).containsExactlyInAnyOrder("UNDECODABLE", "EMPTY");
        }
    }
}
