package io.streamnet.flink.sequence;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamnet.engine.cpu.CpuBackend;
import io.streamnet.contract.PipelineTopics;
import io.streamnet.local.kafka.EmbeddedKafka;
import io.streamnet.rnn.cell.CellType;
import io.streamnet.rnn.model.ModelConfig;
import io.streamnet.rnn.model.OutputType;
import io.streamnet.rnn.model.SequenceModel;
import io.streamnet.rnn.state.RnnState;
import io.streamnet.schemas.DeadLetter;
import io.streamnet.schemas.ModelUpdate;
import io.streamnet.schemas.Prediction;
import io.streamnet.serving.model.ModelUpdates;
import io.streamnet.serving.model.PoisonModels;
import io.streamnet.serving.model.ServedSequenceModel;
import io.streamnet.serving.model.UpdateSignatures;
import io.streamnet.serving.sequence.OutputMode;
import io.streamnet.serving.sequence.PoisonRecords;
import java.security.KeyPair;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.junit.jupiter.api.Test;

/**
 * The text job on a real broker (SASL: the job and its clients carry the credentials) and a real
 * Flink cluster with no restarts allowed: one record of every poison class and one update of every
 * poison-model class among good conversations. The job finishes (so it never failed: a failure with
 * 0 restart attempts ends it), every bad record and update has exactly one dead letter with its
 * reason, and every good conversation is predicted exactly once, by the first model, with
 * rnn-core's values.
 */
class PoisonPipelineEndToEndTest {
    static final String ID = "poison-e2e";
    final SequenceModel model = new SequenceModel(CpuBackend.instance(),
            ModelConfig.tokens(CellType.GRU, 20, 6, 8, 1, 0f, 2, OutputType.MANY_TO_ONE), 11);
    final KeyPair trusted = UpdateSignatures.generate();

    byte[] update(ModelUpdate u, KeyPair signer) {
        if (signer != null) {
            UpdateSignatures.sign(u, signer.getPrivate());
        }
        return ModelUpdates.codec(ModelUpdates.DEFAULT_MAX_BYTES).encode(u);
    }

    @Test
    void poisonRecordsAndModelsBecomeDeadLettersAndTheJobNeverFails() throws Exception {
        byte[] first = OperatorFixtures.bytes(model, ID, 1);
        try (PipelineFixture f = new PipelineFixture(2, new EmbeddedKafka.Sasl("jobuser", "jobpass"))) {
            Map<String, String> expected = new HashMap<>(); // "partition/offset" of a bad record -> its reason
            try (var p = f.producer()) {
                java.util.function.BiFunction<String, byte[], String> send = (k, v) -> {
                    try {
                        var md = p.send(new org.apache.kafka.clients.producer.ProducerRecord<>(
                                PipelineTopics.TEXT_EVENTS, k, v)).get();
                        return md.partition() + "/" + md.offset();
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                };
                for (PoisonRecords.Poison bad : PoisonRecords.text()) {
                    String at = send.apply(bad.key(), bad.value());
                    if (bad.reason() != null) {
                        expected.put(at, bad.reason());
                    }
                }

                // Good conversations among them.
                for (int c = 0; c < 12; c++) {
                    String[] words = {"abc", "de", "fgh"};
                    for (int i = 0; i < words.length; i++) {
                        send.apply("conv-" + c, PoisonRecords.avro(PoisonRecords.text("conv-" + c, i, words[i],
                                i == words.length - 1)));
                    }
                }
                p.flush();

                // Poison models: each must be refused, the first model serving throughout.
                java.util.function.BiConsumer<String, byte[]> publish = (k, v) -> p.send(
                        new org.apache.kafka.clients.producer.ProducerRecord<>(PipelineTopics.MODEL_UPDATES, ID, v));
                publish.accept(ID, update(ModelUpdates.toUpdate(ID, 2, OperatorFixtures.bytes(model, ID, 2), Map.of()),
                        null));
                publish.accept(ID, update(ModelUpdates.toUpdate(ID, 3, OperatorFixtures.bytes(model, ID, 3), Map.of()),
                        UpdateSignatures.generate()));
                publish.accept(ID, update(ModelUpdates.toUpdate(ID, 4, OperatorFixtures.bytes(PoisonModels.nanGru(model.config()), ID, 4),
                        Map.of()), trusted));
                publish.accept(ID, update(ModelUpdates.toUpdate(ID, 5,
                        PoisonModels.oversizedArchitecture(OperatorFixtures.bytes(model, ID, 5)), Map.of()), trusted));
                p.flush();
            }

            SequenceJobConfig c = f.config("poison")
                    .bounded(true)
                    .parallelism(2)
                    .batchSize(8)
                    .mode(OutputMode.MANY_TO_ONE)
                    .restartAttempts(0) // any failure ends the job: finishing proves it never failed
                    .trustedUpdateKey(trusted.getPublic().getEncoded()).build();
            StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
            SequenceJob.build(env, c, ServedSequenceModel.load(CpuBackend.instance(), first, null, -1));
            env.execute("poison");

            List<DeadLetter> dead = f.readDeadLetters(expected.size() + 4, Duration.ofSeconds(60));
            Map<String, String> got = new HashMap<>();
            List<String> updateReasons = new ArrayList<>();
            for (DeadLetter d : dead) {
                if (d.getSourceTopic().toString().equals(PipelineTopics.MODEL_UPDATES)) {
                    updateReasons.add(d.getReason().toString());
                    continue;
                }
                String at = d.getPartition() + "/" + d.getOffset();
                assertThat(got.put(at, d.getReason().toString())).as("second dead letter for %s", at).isNull();
            }
            System.out.println("dead letters of records: " + new java.util.TreeMap<>(got).values()
                    + "; of model updates: " + updateReasons);
            assertThat(got).isEqualTo(expected);
            assertThat(updateReasons).containsExactlyInAnyOrder("UNSIGNED", "BAD_SIGNATURE", "CANARY_FAILED",
                    "CHECKPOINT_SHAPE_MISMATCH");

            List<Prediction> predictions = f.readPredictions(12, Duration.ofSeconds(60));
            Map<String, Prediction> byKey = new HashMap<>();
            for (Prediction pr : predictions) {
                assertThat(byKey.put(pr.getKey().toString(), pr)).as("second prediction for %s", pr.getKey()).isNull();
            }
            assertThat(byKey.keySet()).hasSize(12).allSatisfy(k -> assertThat(k).startsWith("conv-"));
            RnnState s = model.initialState();
            float[] want = null;
            for (int id : OperatorFixtures.VOCABULARY.encode("abcdefgh")) {
                SequenceModel.StepResult r = model.step(s, id);
                s = r.state();
                want = r.output();
            }
            for (Prediction pr : byKey.values()) {
                assertThat(pr.getModelVersion()).isEqualTo(1);
                assertThat(OperatorFixtures.floats(pr.getProbabilities())).containsExactly(want);
            }
        }
    }
}
