package io.streamnet.flink.operator;

import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.runtime.metrics.DescriptiveStatisticsHistogram;

/** A micro-batching operator's input metrics, under the operator's group; operators add their own. */
public class BatchMetrics {
    private static final int WINDOW = 4096;

    /** Records in (named by the operator: eventsIn, framesIn). */
    public final Counter recordsIn;
    public final Histogram batchSize;
    /** Time of one batched computation (named by the operator: stepMicros, forwardMicros, gradientMicros). */
    public final Histogram computeMicros;

    public BatchMetrics(MetricGroup group, String recordsInName, String computeName) {
        recordsIn = group.counter(recordsInName);
        batchSize = histogram(group, "batchSize");
        computeMicros = histogram(group, computeName);
    }

    static Histogram histogram(MetricGroup group, String name) {
        return group.histogram(name, new DescriptiveStatisticsHistogram(WINDOW));
    }
}
