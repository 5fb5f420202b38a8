package io.streamnet.flink.serving;

import io.streamnet.schemas.DeadLetter;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.util.OutputTag;

/** The dead-letter side output of every stage that rejects input; each job sends it to the dead-letter topic. */
public final class DeadLetterOutput {
    public static final OutputTag<DeadLetter> TAG = new OutputTag<>("dead-letters",
            new AvroTypeInfo<>(DeadLetter.class)) {
    };

    private DeadLetterOutput() {
    }
}
