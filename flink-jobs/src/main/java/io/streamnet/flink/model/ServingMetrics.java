package io.streamnet.flink.model;

import java.util.HashMap;
import java.util.Map;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.runtime.metrics.DescriptiveStatisticsHistogram;

/** The metrics every model-serving operator reports, under the operator's group; subclasses add their own. */
public class ServingMetrics {
    protected static final int WINDOW = 4096;

    public final Counter predictionsOut;
    public final Histogram latencyMs;
    public final Counter stateResets;
    public final Counter modelUpdatesApplied;
    public final Counter modelUpdatesRejected;
    private final MetricGroup deadLetters;
    private final Map<String, Counter> byReason = new HashMap<>();
    public volatile long modelVersion;

    public ServingMetrics(MetricGroup group) {
        predictionsOut = group.counter("predictionsOut");
        latencyMs = group.histogram("endToEndLatencyMs", new DescriptiveStatisticsHistogram(WINDOW));
        stateResets = group.counter("stateResets");
        modelUpdatesApplied = group.counter("modelUpdatesApplied");
        modelUpdatesRejected = group.counter("modelUpdatesRejected");
        group.gauge("modelVersion", () -> modelVersion);
        deadLetters = group.addGroup("deadLetters");
    }

    public void deadLetter(String reason) {
        byReason.computeIfAbsent(reason, deadLetters::counter).inc();
    }

    protected static Histogram histogram(MetricGroup group, String name) {
        return group.histogram(name, new DescriptiveStatisticsHistogram(WINDOW));
    }
}
