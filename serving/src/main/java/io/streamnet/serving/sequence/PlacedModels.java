package io.streamnet.serving.sequence;

import io.streamnet.engine.backend.Backend;
import io.streamnet.engine.backend.Placement;
import io.streamnet.engine.backend.Residency;
import io.streamnet.rnn.model.SequenceModel;

/**
 * A model on the backend a {@link Placement} gives small rounds and on the one it gives large
 * rounds (the same object when they are one backend), each with its residency: the weights stay on
 * a device for the owner's lifetime. {@link #close} frees that device memory.
 */
final class PlacedModels implements AutoCloseable {
    private final SequenceModel small;
    private final SequenceModel large;
    private final int threshold;
    private final Residency smallResidency;
    private final Residency largeResidency;

    /** @param capacity the largest round */
    PlacedModels(SequenceModel model, Placement placement, int capacity) {
        this.small = on(model, placement.forRows(1));
        this.large = on(model, placement.forRows(Math.max(capacity, 1)));
        this.threshold = placement.threshold();
        this.smallResidency = small.newResidency();
        this.largeResidency = large == small ? smallResidency : large.newResidency();
    }

    /** {@code m} computing on {@code b}: itself, or a copy of its weights made there. */
    static SequenceModel on(SequenceModel m, Backend b) {
        if (b == m.backend()) {
            return m;
        }
        SequenceModel copy = new SequenceModel(b, m.config(), 0);
        copy.store().load(m.store().values());
        return copy;
    }

    /** The model a round of {@code rows} rows steps on. */
    SequenceModel forRows(int rows) {
        return rows >= threshold ? large : small;
    }

    /** The residency a round of {@code rows} rows runs in. */
    Residency residencyFor(int rows) {
        return rows >= threshold ? largeResidency : smallResidency;
    }

    /** The model of one-row rounds (a row retried alone). */
    SequenceModel small() {
        return small;
    }

    @Override
    public void close() {
        smallResidency.close();
        if (largeResidency != smallResidency) {
            largeResidency.close();
        }
    }
}
