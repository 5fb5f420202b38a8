package io.streamnet.flink.runtimes;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamnet.engine.checkpoint.Checkpoints;
import io.streamnet.engine.cpu.CpuBackend;
import io.streamnet.flink.sequence.DecodeEvents;
import io.streamnet.flink.sequence.SequenceOperator;
import io.streamnet.flink.sequence.SequenceOperatorConfig;
import io.streamnet.flink.operator.DeadLetterOutput;
import io.streamnet.flink.source.RawRecord;
import io.streamnet.contract.PipelineTopics;
import io.streamnet.kafka.streams.RnnTopology;
import io.streamnet.kafka.streams.StreamsAppConfig;
import io.streamnet.rnn.cell.CellType;
import io.streamnet.rnn.model.ModelConfig;
import io.streamnet.rnn.model.OutputType;
import io.streamnet.rnn.model.RnnCheckpoints;
import io.streamnet.rnn.model.SequenceModel;
import io.streamnet.rnn.model.Task;
import io.streamnet.rnn.text.Vocabulary;
import io.streamnet.schemas.DeadLetter;
import io.streamnet.schemas.Prediction;
import io.streamnet.schemas.StepEvent;
import io.streamnet.serving.sequence.InputKind;
import io.streamnet.serving.sequence.OutputMode;
import io.streamnet.serving.sequence.SequenceEvent;
import io.streamnet.serving.wire.Codecs;
import io.streamnet.serving.wire.WireFormat;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedTwoInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.TopologyTestDriver;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One table of good and bad records through both runtimes, the Flink sequence job's stages (the
 * decode function, then the keyed operator) and the Kafka Streams app: each record gets the same
 * outcome in both, the dead-letter reason (and detail) or the prediction (to the last bit), as
 * both apply the serving core's rules. The one rule that differs by design is not in the table:
 * a record without a Kafka key is fine in Flink (keyBy re-keys by the payload) and a KEY_MISMATCH
 * in Kafka Streams (the record key places the state there).
 */
class SameRulesInBothRuntimesTest {
    private static final int MAX_STEPS = 6;
    private static final Vocabulary VOCAB = Vocabulary.words(List.of("great phone works well bad battery broke fast"),
            50, 1);

    @TempDir
    Path stateDir;

    /** A record of the table: its Kafka key, its bytes, and the outcome both runtimes must give. */
    private record Row(String what, String key, byte[] value, String outcome) {
    }

    private static Row json(String what, String key, String value, String outcome) {
        return new Row(what, key, value.getBytes(StandardCharsets.UTF_8), outcome);
    }

    private static String text(String key, int seq, String text, boolean end) {
        return "{\"key\":\"" + key + "\",\"seq\":" + seq + ",\"eventTime\":1764000000000"
                + (text == null ? "" : ",\"text\":\"" + text + "\"") + (end ? ",\"endOfSequence\":true" : "") + "}";
    }

    private static List<Row> textTable() {
        List<Row> t = new ArrayList<>();
        t.add(json("a conversation, first words", "a", text("a", 0, "great phone", false), "-"));
        t.add(json("its last word", "a", text("a", 1, "works", true), "MANY_TO_ONE"));
        t.add(new Row("bytes that are no JSON", "b", new byte[] {(byte) 0xff, 0x00, 0x13}, "MALFORMED_JSON"));
        t.add(json("a required field missing", "c", "{\"key\":\"c\",\"eventTime\":1}", "MISSING_FIELD"));
        t.add(json("a field of the wrong type", "k", "{\"key\":\"k\",\"seq\":\"x\",\"eventTime\":1,\"text\":\"great\"}",
                "WRONG_TYPE"));
        t.add(json("an empty key", "d", text("", 0, "great", true), "MISSING_KEY"));
        t.add(json("a record key other than the event's", "e", text("other", 0, "great", true), "KEY_MISMATCH"));
        t.add(json("blank text that is no end marker", "f", text("f", 0, "   ", false), "EMPTY_TEXT"));
        t.add(json("a token id outside the vocabulary", "g",
                "{\"key\":\"g\",\"seq\":0,\"eventTime\":1,\"tokenIds\":[9999],\"endOfSequence\":true}", "BAD_TOKEN"));
        t.add(json("more tokens than an event may carry", "h",
                text("h", 0, "great phone works well bad battery broke", true), "OVERSIZED"));
        t.add(new Row("more bytes than a record may have", "l", new byte[2 << 20], "OVERSIZED"));
        t.add(json("an end marker for a key with no open sequence", "i", text("i", 0, null, true), "NO_OPEN_SEQUENCE"));
        t.add(json("an open sequence, one word", "j", text("j", 0, "bad", false), "-"));
        t.add(json("closed by an end marker without input", "j", text("j", 1, null, true), "MANY_TO_ONE"));
        t.add(json("a word unknown to the vocabulary is its OOV token", "m", text("m", 0, "zebra", true),
                "MANY_TO_ONE"));
        t.add(json("an event time whose milliseconds overflow", "n",
                "{\"key\":\"n\",\"seq\":0,\"eventTime\":\"+999999999-01-01T00:00:00Z\",\"text\":\"great\"}",
                "BAD_EVENT_TIME"));
        String huge = "q".repeat(600_000);
        t.add(json("a 600 KB key with an end marker", huge, text(huge, 0, "great", true), "KEY_TOO_LONG"));
        return t;
    }

    private static List<Row> stepTable() {
        var avro = Codecs.of(StepEvent.class, WireFormat.AVRO);
        java.util.function.BiFunction<String, List<Float>, byte[]> step = (key, f) -> avro.encode(StepEvent.newBuilder()
                .setKey(key).setStep(0).setEventTime(Instant.ofEpochMilli(1)).setFeatures(f).build());
        List<Row> t = new ArrayList<>();
        t.add(new Row("a step", "s", step.apply("s", List.of(1f, 2f, 3f)), "MANY_TO_MANY"));
        t.add(new Row("a NaN feature (Avro can carry one)", "n", step.apply("n", List.of(1f, Float.NaN, 0f)),
                "NON_FINITE"));
        t.add(new Row("another width than the model's", "w", step.apply("w", List.of(1f, 2f)), "WRONG_DIMENSION"));
        t.add(new Row("no features at all", "z", step.apply("z", List.of()), "WRONG_DIMENSION"));
        t.add(new Row("a text event on the step topic", "x", Codecs.of(io.streamnet.schemas.TextEvent.class,
                WireFormat.AVRO).encode(io.streamnet.schemas.TextEvent.newBuilder().setKey("x").setSeq(0)
                .setEventTime(Instant.ofEpochMilli(1)).setText("great").build()), null));
        return t;
    }

    @Test
    void textRecordsGetTheSameReasonsAndPredictionsInFlinkAndKafkaStreams() throws Exception {
        SequenceModel model = new SequenceModel(CpuBackend.instance(),
                ModelConfig.tokens(CellType.GRU, VOCAB.size(), 8, 16, 1, 0f, 2, OutputType.MANY_TO_ONE), 5);
        compare(textTable(), model, VOCAB, InputKind.TEXT, WireFormat.JSON, OutputMode.MANY_TO_ONE);
    }

    @Test
    void stepRecordsGetTheSameReasonsAndPredictionsInFlinkAndKafkaStreams() throws Exception {
        SequenceModel model = new SequenceModel(CpuBackend.instance(),
                ModelConfig.features(CellType.LSTM, 3, 8, 1, 0f, 2, Task.REGRESSION, OutputType.MANY_TO_MANY), 2);
        compare(stepTable(), model, null, InputKind.STEP, WireFormat.AVRO, OutputMode.MANY_TO_MANY);
    }

    private void compare(List<Row> table, SequenceModel model, Vocabulary vocab, InputKind kind, WireFormat format,
                         OutputMode mode) throws Exception {
        Map<Integer, String> flink = new TreeMap<>();
        Map<Integer, String> streams = new TreeMap<>();
        flink(table, model, vocab, kind, format, mode, flink);
        streams(table, model, vocab, kind, format, mode, streams);
        for (int i = 0; i < table.size(); i++) {
            Row r = table.get(i);
            String f = flink.getOrDefault(i, "-");
            assertThat(f).as("Flink and Kafka Streams on row %d (%s)", i, r.what()).isEqualTo(streams.getOrDefault(i, "-"));
            if (r.outcome() != null) {
                assertThat(f).as("row %d (%s)", i, r.what()).startsWith(r.outcome());
            }
        }
    }

    /** Row index -> "REASON: detail" or "KIND key step [outputs] label model v" (the offset is the row). */
    private static void flink(List<Row> table, SequenceModel model, Vocabulary vocab, InputKind kind, WireFormat format,
                              OutputMode mode, Map<Integer, String> out) throws Exception {
        byte[] checkpoint = Checkpoints.toBytes(RnnCheckpoints.toCheckpoint(model, vocab, Map.of()));
        SequenceOperatorConfig config = new SequenceOperatorConfig(1, 0, mode, null, null, 8, 64 << 20, MAX_STEPS);
        List<SequenceEvent> decoded = new ArrayList<>();
        try (OneInputStreamOperatorTestHarness<RawRecord, SequenceEvent> decode =
                     ProcessFunctionTestHarnesses.forProcessFunction(new DecodeEvents(kind, format, 1 << 20))) {
            for (int i = 0; i < table.size(); i++) {
                Row r = table.get(i);
                decode.processElement(new RawRecord("in", 0, i, 0, r.key().getBytes(StandardCharsets.UTF_8), r.value()),
                        0);
            }
            decoded.addAll(decode.extractOutputValues());
            deadLetters(decode.getSideOutput(DeadLetterOutput.TAG), out);
        }
        try (var op = new KeyedTwoInputStreamOperatorTestHarness<String, SequenceEvent, RawRecord, Prediction>(
                new SequenceOperator(checkpoint, "m", 1, config), e -> e.key, null, Types.STRING)) {
            op.open();
            for (SequenceEvent e : decoded) {
                int before = op.extractOutputValues().size();
                op.processElement1(new StreamRecord<>(e, 0));
                List<Prediction> p = op.extractOutputValues();
                if (p.size() > before) {
                    out.put((int) e.sourceOffset, describe(p.get(p.size() - 1)));
                }
            }
            deadLetters(op.getSideOutput(DeadLetterOutput.TAG), out);
        }
    }

    private void streams(List<Row> table, SequenceModel model, Vocabulary vocab, InputKind kind, WireFormat format,
                         OutputMode mode, Map<Integer, String> out) {
        StreamsAppConfig c = StreamsAppConfig.of(kind, format, mode, "m", 1);
        c = new StreamsAppConfig(c.applicationId(), c.inputTopic(), format, c.outputTopic(), c.deadLetterTopic(), mode,
                8, MAX_STEPS, "m", 1, c.modelUpdatesTopic(), c.order(), null, null);
        try (var driver = new TopologyTestDriver(RnnTopology.build(model, vocab, c),
                RnnTopology.properties(c, "unused:9092", stateDir.toString()))) {
            var in = driver.createInputTopic(c.inputTopic(), new StringSerializer(), new ByteArraySerializer());
            var predictions = driver.createOutputTopic(PipelineTopics.PREDICTIONS, new StringDeserializer(),
                    new ByteArrayDeserializer());
            var dead = driver.createOutputTopic(PipelineTopics.DEAD_LETTERS, new StringDeserializer(),
                    new ByteArrayDeserializer());
            var predictionCodec = Codecs.of(Prediction.class, WireFormat.AVRO);
            var deadCodec = Codecs.of(DeadLetter.class, WireFormat.AVRO);
            for (int i = 0; i < table.size(); i++) {
                in.pipeInput(table.get(i).key(), table.get(i).value());
                for (byte[] p : predictions.readValuesToList()) {
                    out.put(i, describe(predictionCodec.decode(p)));
                }
                for (byte[] d : dead.readValuesToList()) {
                    DeadLetter letter = deadCodec.decode(d);
                    assertThat(letter.getOffset()).as("the input offset is the row").isEqualTo(i);
                    out.put(i, letter.getReason() + ": " + letter.getDetail());
                }
            }
        }
    }

    private static void deadLetters(Iterable<StreamRecord<DeadLetter>> letters, Map<Integer, String> out) {
        if (letters != null) {
            for (StreamRecord<DeadLetter> d : letters) {
                out.put((int) d.getValue().getOffset(), d.getValue().getReason() + ": " + d.getValue().getDetail());
            }
        }
    }

    private static String describe(Prediction p) {
        return p.getKind() + " " + p.getKey() + " " + p.getStep() + " " + p.getProbabilities() + " " + p.getValues()
                + " " + p.getLabel() + " " + p.getModelId() + " v" + p.getModelVersion();
    }

}
