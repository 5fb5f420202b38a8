package io.streamnet.flink.training;

import io.streamnet.flink.operator.BatchMetrics;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;

/** A training operator's metrics: events in and gradient time ({@link BatchMetrics}), what it learned, held out and shipped. */
final class TrainingMetrics extends BatchMetrics {
    /** Sequences (many-to-one) or TBPTT windows (many-to-many) learned from. */
    final Counter sequencesLearned;
    /** Held-out sequences or windows sent to the model owner. */
    final Counter sequencesHeldOut;
    /** Summed gradients sent to the model owner. */
    final Counter gradientsShipped;

    TrainingMetrics(MetricGroup group) {
        super(group, "eventsIn", "gradientMicros");
        sequencesLearned = group.counter("sequencesLearned");
        sequencesHeldOut = group.counter("sequencesHeldOut");
        gradientsShipped = group.counter("gradientsShipped");
    }
}
