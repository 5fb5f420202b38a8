package io.streamnet.schemas;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaCompatibility.SchemaCompatibilityType;
import org.apache.avro.SchemaBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every schema must stay backward compatible (today's readers read data written with the last
 * released schemas) and forward compatible (the released readers read today's data). The released
 * schemas are frozen copies under src/test/resources/released/v1.
 */
class SchemaCompatibilityTest {
    private static final List<String> RECORDS = List.of("TextEvent", "StepEvent", "Frame", "Prediction", "ModelUpdate",
            "DeadLetter");

    static Map<String, Schema> current() {
        return Map.of("TextEvent", TextEvent.getClassSchema(), "StepEvent", StepEvent.getClassSchema(),
                "Frame", Frame.getClassSchema(), "Prediction", Prediction.getClassSchema(),
                "ModelUpdate", ModelUpdate.getClassSchema(), "DeadLetter", DeadLetter.getClassSchema());
    }

    static Map<String, Schema> released(String version) throws IOException {
        Schema.Parser parser = new Schema.Parser();
        parse(parser, version, "PredictionKind");
        Map<String, Schema> out = new java.util.HashMap<>();
        for (String r : RECORDS) {
            out.put(r, parse(parser, version, r));
        }
        return out;
    }

    private static Schema parse(Schema.Parser parser, String version, String name) throws IOException {
        try (InputStream in = SchemaCompatibilityTest.class.getResourceAsStream("/released/" + version + "/" + name + ".avsc")) {
            assertThat(in).as("released schema %s/%s", version, name).isNotNull();
            return parser.parse(in);
        }
    }

    static Stream<String> records() {
        return RECORDS.stream();
    }

    @ParameterizedTest
    @MethodSource("records")
    void currentReaderReadsDataWrittenWithTheReleasedSchema(String record) throws IOException {
        var result = SchemaCompatibility.checkReaderWriterCompatibility(current().get(record), released("v1").get(record));
        assertThat(result.getType()).as(result.getDescription()).isEqualTo(SchemaCompatibilityType.COMPATIBLE);
    }

    @ParameterizedTest
    @MethodSource("records")
    void releasedReaderReadsDataWrittenWithTheCurrentSchema(String record) throws IOException {
        var result = SchemaCompatibility.checkReaderWriterCompatibility(released("v1").get(record), current().get(record));
        assertThat(result.getType()).as(result.getDescription()).isEqualTo(SchemaCompatibilityType.COMPATIBLE);
    }

    @Test
    void textEventGainedAFieldWithADefaultSinceV1() throws IOException {
        assertThat(released("v1").get("TextEvent").getField("language")).isNull();
        assertThat(TextEvent.getClassSchema().getField("language").hasDefaultValue()).isTrue();
    }

    @Test
    void aNewFieldWithoutADefaultWouldBreakOldData() throws IOException {
        // The check has teeth: this is what the rule forbids.
        Schema v1 = released("v1").get("StepEvent");
        SchemaBuilder.FieldAssembler<Schema> f = SchemaBuilder.record("StepEvent").namespace("io.streamnet.schemas").fields();
        for (Schema.Field field : v1.getFields()) {
            f = f.name(field.name()).type(field.schema()).noDefault();
        }
        Schema broken = f.name("mandatory").type().intType().noDefault().endRecord();
        assertThat(SchemaCompatibility.checkReaderWriterCompatibility(broken, v1).getType())
                .isEqualTo(SchemaCompatibilityType.INCOMPATIBLE);
    }
}
