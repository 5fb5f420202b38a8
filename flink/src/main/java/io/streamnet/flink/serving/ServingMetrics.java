package io.streamnet.flink.serving;

import java.util.HashMap;
import java.util.Map;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.runtime.metrics.DescriptiveStatisticsHistogram;

/** The metrics every model-serving operator reports, under the operator's group; subclasses add their own. */
public class ServingMetrics {
    private static final int WINDOW = 4096;

    /** Records in (named by the operator: eventsIn, framesIn). */
    public final Counter recordsIn;
    public final Histogram batchSize;
    /** Time of one batched computation (named by the operator: stepMicros, forwardMicros). */
    public final Histogram computeMicros;
    public final Counter predictionsOut;
    public final Histogram latencyMs;
    public final Counter stateResets;
    public final Counter modelUpdatesApplied;
    public final Counter modelUpdatesRejected;
    private final MetricGroup group;
    private final Map<String, Counter> byReason = new HashMap<>();
    public volatile long modelVersion;

    public ServingMetrics(MetricGroup group, String recordsInName, String computeName) {
        recordsIn = group.counter(recordsInName);
        batchSize = histogram(group, "batchSize");
        computeMicros = histogram(group, computeName);
        predictionsOut = group.counter("predictionsOut");
        latencyMs = histogram(group, "endToEndLatencyMs");
        stateResets = group.counter("stateResets");
        modelUpdatesApplied = group.counter("modelUpdatesApplied");
        modelUpdatesRejected = group.counter("modelUpdatesRejected");
        group.gauge("modelVersion", () -> modelVersion);
        this.group = group;
    }

    public void deadLetter(String reason) {
        // the reason is a label (a key-value group), not part of the name: one series per reason
        byReason.computeIfAbsent(reason, r -> group.addGroup("reason", r).counter("deadLetters")).inc();
    }

    private static Histogram histogram(MetricGroup group, String name) {
        return group.histogram(name, new DescriptiveStatisticsHistogram(WINDOW));
    }
}
