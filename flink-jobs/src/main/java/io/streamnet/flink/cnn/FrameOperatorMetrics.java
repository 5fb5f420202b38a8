package io.streamnet.flink.cnn;

import java.util.HashMap;
import java.util.Map;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.runtime.metrics.DescriptiveStatisticsHistogram;

/** The CNN frame operator's metrics, registered under the operator's group. */
final class FrameOperatorMetrics {
    private static final int WINDOW = 4096;

    final Counter framesIn;
    final Counter predictionsOut;
    final Histogram batchSize;
    final Histogram forwardMicros;
    final Histogram latencyMs;
    final Counter stateResets;
    final Counter modelUpdatesApplied;
    final Counter modelUpdatesRejected;
    private final MetricGroup deadLetters;
    private final Map<String, Counter> byReason = new HashMap<>();
    volatile long modelVersion;

    FrameOperatorMetrics(MetricGroup group) {
        framesIn = group.counter("framesIn");
        predictionsOut = group.counter("predictionsOut");
        batchSize = group.histogram("batchSize", new DescriptiveStatisticsHistogram(WINDOW));
        forwardMicros = group.histogram("forwardMicros", new DescriptiveStatisticsHistogram(WINDOW));
        latencyMs = group.histogram("endToEndLatencyMs", new DescriptiveStatisticsHistogram(WINDOW));
        stateResets = group.counter("stateResets");
        modelUpdatesApplied = group.counter("modelUpdatesApplied");
        modelUpdatesRejected = group.counter("modelUpdatesRejected");
        group.gauge("modelVersion", () -> modelVersion);
        deadLetters = group.addGroup("deadLetters");
    }

    void deadLetter(String reason) {
        byReason.computeIfAbsent(reason, deadLetters::counter).inc();
    }
}
