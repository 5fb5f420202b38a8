package io.streamnet.serving.sequence;

import io.streamnet.engine.tensor.Tensor;
import io.streamnet.rnn.model.SequenceModel;
import io.streamnet.rnn.state.RnnState;
import io.streamnet.rnn.state.StateBatch;

/**
 * The rows of a round of distinct keys: each key's gathered state and input, the new states and
 * outputs after the step, and per row the state the step started from (what a retry of the row
 * starts from). Allocated once for the capacity; loading a row allocates nothing (a row carried
 * for the first time allocates its carry buffer once).
 */
final class RowWorkspace {
    private final SequenceModel model;
    final StateBatch batch;
    /** The rows' feature vectors; null for a token model, whose input is {@link #tokens}. */
    final Tensor features;
    final int[] tokens;
    private final int stateSize;
    /** Per row, the stored state loaded (null: the initial one), for a row's retry alone. */
    private final float[][] loaded;
    private final float[][] carried;

    RowWorkspace(SequenceModel model, int capacity) {
        this.model = model;
        this.batch = model.newStateBatch(capacity);
        this.features = model.config().tokenInput() ? null : Tensor.zeros(capacity, model.config().inputSize());
        this.tokens = new int[capacity];
        this.stateSize = model.stateLayout().size();
        this.loaded = new float[capacity][];
        this.carried = new float[capacity][];
    }

    /** Whether a stored state can be read by this model (one written under a model of another shape cannot). */
    boolean readable(float[] stored) {
        return stored != null && stored.length == stateSize;
    }

    /** See {@link SequenceStepper#loadState}. */
    boolean loadState(int row, float[] stored) {
        if (readable(stored)) {
            batch.load(row, stored);
            loaded[row] = stored;
            return false;
        }
        batch.load(row, model.initialState().values());
        loaded[row] = null;
        return stored != null;
    }

    /** See {@link SequenceStepper#carry}. */
    void carry(int row) {
        if (carried[row] == null) {
            carried[row] = new float[stateSize];
        }
        batch.saveInto(row, carried[row]);
        loaded[row] = carried[row];
    }

    /** The state {@code row}'s step started from. */
    float[] startOf(int row) {
        return loaded[row] != null ? loaded[row] : model.initialState().values();
    }

    void loadInput(int row, SequenceInput in, int step) {
        if (features != null) {
            System.arraycopy(in.event.features, 0, features.data(), row * features.cols(), features.cols());
        } else {
            tokens[row] = in.token(step);
        }
    }

    void loadToken(int row, int id) {
        tokens[row] = id;
    }

    void loadFeatures(int row, float[] data, int offset) {
        System.arraycopy(data, offset, features.data(), row * features.cols(), features.cols());
    }

    /** The new state of {@code row}, as a fresh array. */
    float[] state(int row) {
        return stateInto(row, null);
    }

    float[] stateInto(int row, float[] into) {
        float[] s = into != null && into.length == stateSize ? into : new float[stateSize];
        batch.saveInto(row, s);
        return s;
    }

    float[] output(int row) {
        return batch.output(row).toArray();
    }

    RnnState rnnState(int row) {
        return batch.save(row);
    }
}
