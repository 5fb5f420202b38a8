package io.streamnet.flink.rnn;

import java.util.HashMap;
import java.util.Map;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.runtime.metrics.DescriptiveStatisticsHistogram;

/** The RNN operator's metrics, registered in Flink's metric system under the operator's group. */
final class RnnOperatorMetrics {
    private static final int WINDOW = 4096;

    final Counter eventsIn;
    final Counter predictionsOut;
    final Histogram bundleSize;
    final Histogram stepMicros;
    final Histogram latencyMs;
    final Counter stateResets;
    final Counter modelUpdatesApplied;
    final Counter modelUpdatesRejected;
    private final MetricGroup deadLetters;
    private final Map<String, Counter> byReason = new HashMap<>();
    volatile long modelVersion;
    volatile long keysWithState;

    RnnOperatorMetrics(MetricGroup group) {
        eventsIn = group.counter("eventsIn");
        predictionsOut = group.counter("predictionsOut");
        bundleSize = group.histogram("bundleSize", new DescriptiveStatisticsHistogram(WINDOW));
        stepMicros = group.histogram("stepMicros", new DescriptiveStatisticsHistogram(WINDOW));
        latencyMs = group.histogram("endToEndLatencyMs", new DescriptiveStatisticsHistogram(WINDOW));
        stateResets = group.counter("stateResets");
        modelUpdatesApplied = group.counter("modelUpdatesApplied");
        modelUpdatesRejected = group.counter("modelUpdatesRejected");
        group.gauge("modelVersion", () -> modelVersion);
        group.gauge("keysWithState", () -> keysWithState);
        deadLetters = group.addGroup("deadLetters");
    }

    void deadLetter(String reason) {
        byReason.computeIfAbsent(reason, deadLetters::counter).inc();
    }
}
