package io.streamnet.flink.training;

import io.streamnet.flink.operator.DeadLetterOutput;
import io.streamnet.serving.reject.Rejected;
import io.streamnet.serving.sequence.EventJson;
import io.streamnet.serving.sequence.SequenceEvent;
import io.streamnet.training.HeldOutSlice;
import java.util.List;
import org.apache.flink.api.common.state.OperatorStateStore;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.streaming.api.operators.Output;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;

/**
 * What both training operators hold besides how they learn: the held-out slice (its secret in
 * operator state), their metrics, what they send the model owner and the gradient they sum, and
 * how a batch's events are taken (each counted and timed, a refused one to the dead letters).
 */
final class TrainingParts {
    /** Takes one event of a batch into what is learned. */
    interface Take {
        void take(SequenceEvent e) throws Exception;
    }

    /** Runs what the batch's events made due. */
    interface Then {
        void run() throws Exception;
    }

    final HeldOutSlice heldOut;
    TrainingMetrics metrics;
    TrainingOutput out;
    GradientOutbox outbox;

    private TrainingParts(HeldOutSlice heldOut) {
        this.heldOut = heldOut;
    }

    /** At state initialization: the slice to hold out with, its secret kept in {@code store}. */
    static TrainingParts restore(OperatorStateStore store, TrainingOperatorConfig config) throws Exception {
        return new TrainingParts(HeldOutSecret.restore(store, config));
    }

    /** At open, before the model is first loaded (a model change ships through the outbox). */
    void open(Output<StreamRecord<TrainingMessage>> output, MetricGroup group) {
        metrics = new TrainingMetrics(group);
        out = new TrainingOutput(output, metrics);
        outbox = new GradientOutbox(out);
    }

    /** Every event of {@code batch} through {@code take} (a refused one to {@code deadLetters}), then {@code then}; timed. */
    void run(List<SequenceEvent> batch, DeadLetterOutput deadLetters, Take take, Then then) throws Exception {
        metrics.batchSize.update(batch.size());
        long t0 = System.nanoTime();
        for (SequenceEvent e : batch) {
            try {
                take.take(e);
            } catch (Rejected r) {
                deadLetters.send(e, r, EventJson.of(e));
            }
        }
        then.run();
        metrics.computeMicros.update((System.nanoTime() - t0) / 1000);
    }
}
