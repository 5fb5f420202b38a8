package io.streamnet.flink.sequence;

import io.streamnet.flink.serving.ServingMetrics;
import org.apache.flink.metrics.MetricGroup;

/** The sequence operator's metrics: the serving ones (eventsIn, stepMicros) plus the keys with state. */
final class SequenceOperatorMetrics extends ServingMetrics {
    volatile long keysWithState;

    SequenceOperatorMetrics(MetricGroup group) {
        super(group, "eventsIn", "stepMicros");
        group.gauge("keysWithState", () -> keysWithState);
    }
}
