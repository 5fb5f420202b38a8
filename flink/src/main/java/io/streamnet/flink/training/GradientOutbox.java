package io.streamnet.flink.training;

import io.streamnet.engine.checkpoint.Checkpoints;
import io.streamnet.serving.model.ServedSequenceModel;
import io.streamnet.training.GradientSum;
import io.streamnet.training.ModelOwner;

/**
 * The gradient summed on one model version, shipped to the model owner marked with that version and
 * who published it (its checkpoint's owner). The slot already holds the next version at a swap, so
 * the version learned on is kept here.
 */
final class GradientOutbox {
    private final TrainingOutput out;
    private GradientSum sum;
    private long version;
    private String owner;

    GradientOutbox(TrainingOutput out) {
        this.out = out;
    }

    /** Learning moves to {@code m}: what was summed before must have shipped. */
    void learnOn(ServedSequenceModel m) throws Exception {
        sum = new GradientSum(m.model().parameters());
        version = m.version();
        owner = Checkpoints.fromBytes(m.checkpoint()).metadata().get(ModelOwner.META_OWNER);
    }

    /** Whether a model is being learned on (false before the first). */
    boolean learning() {
        return sum != null;
    }

    GradientSum sum() {
        return sum;
    }

    /** Ships the sum, if anything was learned since the last. */
    void ship() {
        if (sum != null && sum.windows() > 0) {
            out.gradient(sum.take(version), owner);
        }
    }
}
