package io.streamnet.flink.rnn;

import io.streamnet.flink.model.ServingMetrics;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.metrics.MetricGroup;

/** The RNN operator's metrics: the serving ones plus events, bundles, step time and keys with state. */
final class RnnOperatorMetrics extends ServingMetrics {
    final Counter eventsIn;
    final Histogram bundleSize;
    final Histogram stepMicros;
    volatile long keysWithState;

    RnnOperatorMetrics(MetricGroup group) {
        super(group);
        eventsIn = group.counter("eventsIn");
        bundleSize = histogram(group, "bundleSize");
        stepMicros = histogram(group, "stepMicros");
        group.gauge("keysWithState", () -> keysWithState);
    }
}
