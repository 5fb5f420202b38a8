package io.streamnet.flink.sequence;

import io.streamnet.flink.operator.BatchMetrics;
import org.apache.flink.metrics.MetricGroup;

/** The sequence operator's metrics: the batch ones (eventsIn, stepMicros) plus the keys with state. */
final class SequenceOperatorMetrics extends BatchMetrics {
    volatile long keysWithState;

    SequenceOperatorMetrics(MetricGroup group) {
        super(group, "eventsIn", "stepMicros");
        group.gauge("keysWithState", () -> keysWithState);
    }
}
