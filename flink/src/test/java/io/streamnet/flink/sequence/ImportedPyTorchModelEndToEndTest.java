package io.streamnet.flink.sequence;

import static io.streamnet.datasets.DatasetAssumptions.assumeAvailable;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.streamnet.engine.checkpoint.Checkpoints;
import io.streamnet.engine.cpu.CpuBackend;
import io.streamnet.interop.pytorch.RecurrentArch;
import io.streamnet.interop.pytorch.RecurrentImport;
import io.streamnet.interop.safetensors.SafeTensors;
import io.streamnet.contract.PipelineTopics;
import io.streamnet.rnn.data.LabelledSentence;
import io.streamnet.rnn.data.SentimentDataset;
import io.streamnet.rnn.model.RnnCheckpoints;
import io.streamnet.rnn.model.SequenceModel;
import io.streamnet.rnn.text.Vocabulary;
import io.streamnet.rnn.text.WordTokenizer;
import io.streamnet.schemas.ModelUpdate;
import io.streamnet.schemas.Prediction;
import io.streamnet.schemas.TextEvent;
import io.streamnet.serving.model.ModelUpdates;
import io.streamnet.serving.model.ServedSequenceModel;
import io.streamnet.serving.sequence.OutputMode;
import io.streamnet.serving.wire.Codecs;
import io.streamnet.serving.wire.RecordCodec;
import io.streamnet.serving.wire.WireFormat;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;

/**
 * A GRU sentiment model trained by PyTorch on the UCI training split (interop's
 * train_sentiment_gru.py), imported, published to model-updates while the sequence job serves a
 * random model, then the test split streamed word by word as conversations: every conversation
 * gets the label PyTorch gave it, so the streamed accuracy is PyTorch's own on the same split.
 */
class ImportedPyTorchModelEndToEndTest {
    /** interop's fixtures, read in place (the tests run in the module's directory). */
    static final Path FIXTURES = Path.of("../interop/src/test/resources/pytorch");
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void aPyTorchModelPublishedToTheRunningJobGivesPyTorchsAnswersOnTheTestSplit() throws Exception {
        RecurrentImport.Imported imported = RecurrentImport.toModel(CpuBackend.instance(),
                SafeTensors.read(FIXTURES.resolve("sentiment_gru.safetensors"), SafeTensors.Limits.DEFAULTS).tensors(),
                RecurrentArch.read(FIXTURES.resolve("sentiment_gru.arch.json")));
        JsonNode expected = JSON.readTree(FIXTURES.resolve("sentiment_gru.expected.json").toFile());
        List<LabelledSentence> all = SentimentDataset.loadAll(assumeAvailable(SentimentDataset::locate));
        List<String[]> conversations = new ArrayList<>();
        List<Integer> labels = new ArrayList<>();
        List<Integer> tokenCounts = new ArrayList<>();
        for (int i = 0; i < all.size(); i += 5) { // the fixture's test split: every 5th sentence
            List<String> words = WordTokenizer.tokenize(all.get(i).text());
            if (!words.isEmpty()) {
                conversations.add(words.toArray(String[]::new));
                labels.add(all.get(i).label());
                tokenCounts.add(words.size());
            }
        }
        List<Integer> theirCounts = new ArrayList<>();
        expected.get("token_counts").forEach(n -> theirCounts.add(n.asInt()));
        assertThat(tokenCounts).as("the same test sentences, tokenized alike").isEqualTo(theirCounts);

        byte[] importedBytes = checkpoint(imported.model(), imported.vocabulary(), 2);
        byte[] initial = checkpoint(new SequenceModel(CpuBackend.instance(), imported.model().config(), 9),
                imported.vocabulary(), 1);
        try (PipelineFixture f = new PipelineFixture(1)) {
            SequenceJobConfig c = f.config("import-e2e")
                    .parallelism(1) // one subtask: once a probe is served by the new version, every key is
                    .mode(OutputMode.MANY_TO_ONE)
                    .batchSize(32).build();
            StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
            SequenceJob.build(env, c, ServedSequenceModel.load(CpuBackend.instance(), initial, null, -1));
            JobClient job = env.executeAsync(SequenceJob.NAME);
            try {
                f.send(PipelineTopics.MODEL_UPDATES, "sentiment", Codecs.of(ModelUpdate.class, WireFormat.AVRO)
                        .encode(ModelUpdates.toUpdate("sentiment", 2, importedBytes, Map.of())));
                RecordCodec<TextEvent> text = Codecs.of(TextEvent.class, WireFormat.AVRO);
                int probes = f.awaitServedVersion(2, Duration.ofMinutes(2), i -> new ProducerRecord<>(
                        PipelineTopics.TEXT_EVENTS, "probe-" + i, text.encode(TextEvent.newBuilder().setKey("probe-" + i)
                                .setSeq(0).setEventTime(Instant.now()).setText("good").setLabel(1)
                                .setEndOfSequence(true).build())));
                f.produceWords(conversations, labels, 0, Integer.MAX_VALUE);
                Map<String, Prediction> byKey = new HashMap<>();
                for (Prediction p : f.readPredictions(probes + conversations.size(), Duration.ofMinutes(2))) {
                    byKey.put(p.getKey(), p);
                }
                int correct = 0;
                int agree = 0;
                for (int i = 0; i < conversations.size(); i++) {
                    Prediction p = byKey.get("conv-" + i);
                    assertThat(p).as("prediction of conv-%d", i).isNotNull();
                    assertThat(p.getModelVersion()).isEqualTo(2);
                    agree += p.getLabel() == expected.get("predictions").get(i).asInt() ? 1 : 0;
                    correct += p.getLabel() == labels.get(i) ? 1 : 0;
                }
                double streamed = correct / (double) conversations.size();
                System.out.printf("imported PyTorch GRU on the test split: streamed accuracy %.4f, PyTorch's %.4f; "
                        + "labels agree on %d of %d conversations%n", streamed, expected.get("accuracy").asDouble(),
                        agree, conversations.size());
                assertThat(agree).isEqualTo(conversations.size());
                assertThat(streamed).isEqualTo(expected.get("accuracy").asDouble());
            } finally {
                job.cancel().get();
            }
        }
    }

    private static byte[] checkpoint(SequenceModel m, Vocabulary v, long version) throws Exception {
        return Checkpoints.toBytes(RnnCheckpoints.toCheckpoint(m, v, Map.of(ServedSequenceModel.META_ID, "sentiment",
                ServedSequenceModel.META_VERSION, Long.toString(version))));
    }
}
