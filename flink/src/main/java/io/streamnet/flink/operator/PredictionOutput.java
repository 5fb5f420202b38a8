package io.streamnet.flink.operator;

import io.streamnet.schemas.Prediction;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.streaming.api.operators.Output;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;

/** A serving operator's main output: each prediction counted (predictionsOut) and its end-to-end latency recorded. */
public final class PredictionOutput {
    private final Output<StreamRecord<Prediction>> output;
    private final Counter predictionsOut;
    private final Histogram latencyMs;

    public PredictionOutput(Output<StreamRecord<Prediction>> output, MetricGroup group) {
        this.output = output;
        predictionsOut = group.counter("predictionsOut");
        latencyMs = BatchMetrics.histogram(group, "endToEndLatencyMs");
    }

    public void emit(Prediction p) {
        latencyMs.update(p.getLatencyMs());
        predictionsOut.inc();
        output.collect(new StreamRecord<>(p));
    }
}
