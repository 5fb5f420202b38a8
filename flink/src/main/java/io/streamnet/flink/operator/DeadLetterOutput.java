package io.streamnet.flink.operator;

import io.streamnet.schemas.DeadLetter;
import io.streamnet.serving.event.SourcedEvent;
import io.streamnet.serving.output.DeadLetters;
import io.streamnet.serving.reject.RejectReason;
import io.streamnet.serving.reject.Rejected;
import java.util.HashMap;
import java.util.Map;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.streaming.api.operators.Output;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.util.OutputTag;

/**
 * The dead-letter side output of every stage that rejects input ({@link #TAG}; each job sends it to
 * the dead-letter topic), and an operator's writer to it, which counts each letter by its reason.
 */
public final class DeadLetterOutput {
    public static final OutputTag<DeadLetter> TAG = new OutputTag<>("dead-letters",
            new AvroTypeInfo<>(DeadLetter.class)) {
    };

    private final Output<?> output;
    private final MetricGroup group;
    private final Map<String, Counter> byReason = new HashMap<>();

    public DeadLetterOutput(Output<?> output, MetricGroup group) {
        this.output = output;
        this.group = group;
    }

    public void send(DeadLetter d) {
        // the reason is a label (a key-value group), not part of the name: one series per reason
        byReason.computeIfAbsent(d.getReason().toString(),
                r -> group.addGroup("reason", r).counter("deadLetters")).inc();
        output.collect(TAG, new StreamRecord<>(d));
    }

    public void send(String topic, int partition, long offset, RejectReason reason, String detail, byte[] raw) {
        send(DeadLetters.of(topic, partition, offset, reason, detail, raw));
    }

    /** A decoded event refused here: {@code raw} stands for its bytes (the decode stage kept the originals). */
    public void send(SourcedEvent e, Rejected why, byte[] raw) {
        send(DeadLetters.of(e.sourceTopic, e.sourcePartition, e.sourceOffset, why, raw));
    }
}
