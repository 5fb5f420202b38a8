package io.streamnet.flink.operator;

import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;

/** What the followed model reports, under the operator's group: its version, the updates applied and refused, and state resets. */
public final class ModelMetrics {
    public final Counter modelUpdatesApplied;
    public final Counter modelUpdatesRejected;
    /** Keys whose model-shaped state started afresh: cleared at a swap, or written under a model of another shape. */
    public final Counter stateResets;
    volatile long modelVersion;

    ModelMetrics(MetricGroup group) {
        stateResets = group.counter("stateResets");
        modelUpdatesApplied = group.counter("modelUpdatesApplied");
        modelUpdatesRejected = group.counter("modelUpdatesRejected");
        group.gauge("modelVersion", () -> modelVersion);
    }
}
