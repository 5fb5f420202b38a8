package io.streamnet.flink.training;

import io.streamnet.training.Gradient;
import io.streamnet.training.HeldOutSet;
import org.apache.flink.streaming.api.operators.Output;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;

/** What a training operator sends the model owner, each kind counted: held-out examples and summed gradients. */
final class TrainingOutput {
    private final Output<StreamRecord<TrainingMessage>> output;
    private final TrainingMetrics metrics;

    TrainingOutput(Output<StreamRecord<TrainingMessage>> output, TrainingMetrics metrics) {
        this.output = output;
        this.metrics = metrics;
    }

    void heldOut(int[] tokens, int[] labels) {
        metrics.sequencesHeldOut.inc();
        output.collect(new StreamRecord<>(TrainingMessage.heldOut(tokens, labels)));
    }

    void heldOut(HeldOutSet.Example e) {
        heldOut(e.tokens(), e.labels());
    }

    /** A gradient, computed on a version that {@code owner} published (null: unnamed). */
    void gradient(Gradient g, String owner) {
        metrics.gradientsShipped.inc();
        TrainingMessage m = TrainingMessage.of(g);
        m.owner = owner;
        output.collect(new StreamRecord<>(m));
    }
}
