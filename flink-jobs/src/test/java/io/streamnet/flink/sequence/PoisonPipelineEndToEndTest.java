package io.streamnet.flink.sequence;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.streamnet.engine.checkpoint.Checkpoint;
import io.streamnet.engine.checkpoint.Checkpoints;
import io.streamnet.engine.cpu.CpuBackend;
import io.streamnet.kafka.admin.PipelineTopics;
import io.streamnet.kafka.broker.EmbeddedKafka;
import io.streamnet.rnn.cell.CellType;
import io.streamnet.rnn.model.ModelConfig;
import io.streamnet.rnn.model.OutputType;
import io.streamnet.rnn.model.SequenceModel;
import io.streamnet.rnn.state.RnnState;
import io.streamnet.schemas.DeadLetter;
import io.streamnet.schemas.ModelUpdate;
import io.streamnet.schemas.Prediction;
import io.streamnet.schemas.TextEvent;
import io.streamnet.serving.model.ModelUpdates;
import io.streamnet.serving.model.ServedSequenceModel;
import io.streamnet.serving.model.UpdateSignatures;
import io.streamnet.serving.sequence.OutputMode;
import io.streamnet.serving.wire.Codecs;
import io.streamnet.serving.wire.RecordCodec;
import io.streamnet.serving.wire.WireFormat;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.time.Duration;
import java.time.Instant;
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
    static final Instant T = Instant.parse("2026-01-01T00:00:00Z");
    final RecordCodec<TextEvent> avro = Codecs.of(TextEvent.class, WireFormat.AVRO);
    final SequenceModel model = new SequenceModel(CpuBackend.instance(),
            ModelConfig.tokens(CellType.GRU, 20, 6, 8, 1, 0f, 2, OutputType.MANY_TO_ONE), 11);
    final KeyPair trusted = UpdateSignatures.generate();

    TextEvent text(String key, long seq, String text, boolean end) {
        return TextEvent.newBuilder().setKey(key).setSeq(seq).setEventTime(T).setText(text).setEndOfSequence(end)
                .build();
    }

    byte[] update(ModelUpdate u, KeyPair signer) {
        if (signer != null) {
            UpdateSignatures.sign(u, signer.getPrivate());
        }
        return ModelUpdates.codec(ModelUpdates.DEFAULT_MAX_BYTES).encode(u);
    }

    /** A token model whose logits are all +Inf whatever the input: softmax gives NaN. */
    SequenceModel nanModel() {
        SequenceModel m = new SequenceModel(CpuBackend.instance(), model.config(), 12);
        float max = Float.MAX_VALUE;
        m.store().get("enc0.wx").value().fill(0f);
        m.store().get("enc0.wh").value().fill(0f);
        float[] bx = m.store().get("enc0.bx").value().data();
        for (int j = 0; j < 8; j++) {
            bx[8 + j] = -max; // z = 0
            bx[16 + j] = 1f;  // n = tanh(1): h = 0.76 for every key and token
        }
        m.store().get("head.w").value().fill(max);
        m.store().get("head.b").value().fill(max);
        return m;
    }

    byte[] oversizedArchitecture() throws Exception {
        Checkpoint real = Checkpoints.fromBytes(OperatorFixtures.bytes(model, ID, 5));
        ObjectNode arch = real.architecture().deepCopy();
        arch.put("hidden", 1 << 20);
        Checkpoint.Builder b = Checkpoint.builder(arch);
        real.tensors().forEach(b::tensor);
        return Checkpoints.toBytes(b.build());
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
                expected.put(send.apply("junk", "not avro at all".getBytes(StandardCharsets.UTF_8)), "UNDECODABLE");
                expected.put(send.apply("empty", new byte[0]), "EMPTY");
                // A key string claiming 2^40 bytes in a 7-byte record.
                byte[] bomb = {(byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80, 0x40, 0};
                expected.put(send.apply("bomb", bomb), "UNDECODABLE");
                byte[] good = avro.encode(text("trail", 0, "abc", true));
                byte[] trailing = java.util.Arrays.copyOf(good, good.length + 3);
                expected.put(send.apply("trail", trailing), "TRAILING_BYTES");
                expected.put(send.apply("future", avro.encode(TextEvent.newBuilder(text("future", 0, "abc", true))
                        .setEventTime(Instant.ofEpochMilli(Long.MAX_VALUE)).build())), "BAD_EVENT_TIME");
                String hugeKey = "k".repeat(300_000); // with its copy in the payload, under the topic's 1 MB
                expected.put(send.apply(hugeKey, avro.encode(text(hugeKey, 0, "abc", true))), "KEY_TOO_LONG");
                expected.put(send.apply("longtext", avro.encode(text("longtext", 0, "a".repeat(200_000), true))),
                        "OVERSIZED");
                expected.put(send.apply("blank", avro.encode(text("blank", 0, "   ", false))), "EMPTY_TEXT");
                expected.put(send.apply("other", avro.encode(text("mismatch", 0, "abc", true))), "KEY_MISMATCH");
                expected.put(send.apply("token", avro.encode(TextEvent.newBuilder(text("token", 0, null, true))
                        .setTokenIds(List.of(3, 99)).build())), "BAD_TOKEN");
                expected.put(send.apply("lonely", avro.encode(text("lonely", 0, "", true))), "NO_OPEN_SEQUENCE");
                send.apply("dup", avro.encode(text("dup", 0, "ab", false)));
                expected.put(send.apply("dup", avro.encode(text("dup", 0, "ab", false))), "DUPLICATE");
                send.apply("late", avro.encode(text("late", 5, "ab", false)));
                expected.put(send.apply("late", avro.encode(text("late", 4, "ab", false))), "OUT_OF_ORDER");

                // Good conversations among them.
                for (int c = 0; c < 12; c++) {
                    String[] words = {"abc", "de", "fgh"};
                    for (int i = 0; i < words.length; i++) {
                        send.apply("conv-" + c, avro.encode(text("conv-" + c, i, words[i], i == words.length - 1)));
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
                publish.accept(ID, update(ModelUpdates.toUpdate(ID, 4, OperatorFixtures.bytes(nanModel(), ID, 4),
                        Map.of()), trusted));
                publish.accept(ID, update(ModelUpdates.toUpdate(ID, 5, oversizedArchitecture(), Map.of()), trusted));
                p.flush();
            }

            SequenceJobConfig c = f.config("poison");
            c.bounded = true;
            c.parallelism = 2;
            c.batchSize = 8;
            c.mode = OutputMode.MANY_TO_ONE;
            c.restartAttempts = 0; // any failure ends the job: finishing proves it never failed
            c.trustedUpdateKey = trusted.getPublic().getEncoded();
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
