package io.streamnet.flink.cnn;

import io.streamnet.flink.model.ServingMetrics;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.metrics.MetricGroup;

/** The CNN frame operator's metrics: the serving ones plus frames, batch sizes and forward time. */
final class FrameOperatorMetrics extends ServingMetrics {
    final Counter framesIn;
    final Histogram batchSize;
    final Histogram forwardMicros;

    FrameOperatorMetrics(MetricGroup group) {
        super(group);
        framesIn = group.counter("framesIn");
        batchSize = histogram(group, "batchSize");
        forwardMicros = histogram(group, "forwardMicros");
    }
}
