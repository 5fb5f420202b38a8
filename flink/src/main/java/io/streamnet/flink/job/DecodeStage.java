package io.streamnet.flink.job;

import io.streamnet.flink.operator.DeadLetterOutput;
import io.streamnet.flink.source.RawRecord;
import io.streamnet.serving.event.SourcedEvent;
import io.streamnet.serving.output.DeadLetters;
import io.streamnet.serving.reject.Rejected;
import java.nio.charset.StandardCharsets;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;

/**
 * The first stage of every job after its source: a serving-core decoder on each raw record; what
 * it refuses goes to the dead-letter side output with the reason and the raw bytes, what it
 * accepts goes on stamped with its source coordinates and ingestion time.
 *
 * @param <T> the decoded event
 */
public abstract class DecodeStage<T extends SourcedEvent> extends ProcessFunction<RawRecord, T> {
    private static final long serialVersionUID = 1L;
    private transient Counter rejected;

    /** Creates the decoder (once per subtask). */
    protected abstract void openDecoder();

    /**
     * Decodes a record's value; {@code recordKey} is its Kafka key (null: none).
     *
     * @throws Rejected what cannot be used, with its reason
     */
    protected abstract T decode(String recordKey, byte[] value);

    @Override
    public void open(OpenContext context) {
        openDecoder();
        rejected = getRuntimeContext().getMetricGroup().counter("deadLettersDecode");
    }

    @Override
    public void processElement(RawRecord r, Context ctx, Collector<T> out) {
        T e;
        try {
            e = decode(r.key == null ? null : new String(r.key, StandardCharsets.UTF_8), r.value);
        } catch (Rejected why) {
            rejected.inc();
            ctx.output(DeadLetterOutput.TAG, DeadLetters.of(r.topic, r.partition, r.offset, why, r.value));
            return;
        }
        e.from(r.topic, r.partition, r.offset, r.timestamp);
        out.collect(e);
    }
}
