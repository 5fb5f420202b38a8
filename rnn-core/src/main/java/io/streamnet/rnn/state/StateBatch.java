package io.streamnet.rnn.state;

import io.streamnet.engine.backend.Residency;
import io.streamnet.engine.tensor.Tensor;
import io.streamnet.rnn.cell.RecurrentCell;
import io.streamnet.rnn.cell.StepCache;
import java.util.List;

/**
 * The states of up to {@code capacity} keys gathered into [B, H] tensors per layer, plus the step
 * workspace, for one batched step. Owned by one caller (one operator thread); reused across steps so
 * a steady stream of steps allocates nothing. Gather with {@link #load}, step, scatter with
 * {@link #save}. Only the rows a step computed are current afterwards: load every row before the
 * step that uses it (buffers are swapped, so other rows hold older data).
 */
public final class StateBatch {
    private final StateLayout layout;
    private final Tensor[] h;
    private final Tensor[] c;
    private final Tensor[] hNext;
    private final Tensor[] cNext;
    private final StepCache[] caches;
    private final Tensor input;
    private final Tensor output;

    public StateBatch(StateLayout layout, List<RecurrentCell> cells, int capacity, int inputWidth, int outputWidth) {
        if (capacity <= 0) {
            throw new IllegalArgumentException("capacity must be positive, got " + capacity);
        }
        this.layout = layout;
        int l = layout.layers();
        h = new Tensor[l];
        c = new Tensor[l];
        hNext = new Tensor[l];
        cNext = new Tensor[l];
        caches = new StepCache[l];
        for (int i = 0; i < l; i++) {
            h[i] = Tensor.zeros(capacity, layout.hidden());
            hNext[i] = Tensor.zeros(capacity, layout.hidden());
            if (layout.cell().hasCellState()) {
                c[i] = Tensor.zeros(capacity, layout.hidden());
                cNext[i] = Tensor.zeros(capacity, layout.hidden());
            }
            caches[i] = cells.get(i).newCache(capacity);
        }
        input = Tensor.zeros(capacity, inputWidth);
        output = Tensor.zeros(capacity, outputWidth);
    }

    public StateLayout layout() {
        return layout;
    }

    public int capacity() {
        return h[0].rows();
    }

    /** Copies a key's state into row {@code row}. */
    public void load(int row, RnnState state) {
        if (!state.layout().equals(layout)) {
            throw new IllegalArgumentException("state of layout " + state.layout() + " loaded into a batch of " + layout);
        }
        load(row, state.values());
    }

    public void load(int row, float[] values) {
        int hid = layout.hidden();
        for (int l = 0; l < layout.layers(); l++) {
            int off = l * layout.perLayer();
            System.arraycopy(values, off, h[l].data(), row * hid, hid);
            if (c[l] != null) {
                System.arraycopy(values, off + hid, c[l].data(), row * hid, hid);
            }
        }
    }

    /** Row {@code row}'s state as a new value. */
    public RnnState save(int row) {
        float[] v = new float[layout.size()];
        saveInto(row, v);
        return new RnnState(layout, v);
    }

    public void saveInto(int row, float[] values) {
        int hid = layout.hidden();
        for (int l = 0; l < layout.layers(); l++) {
            int off = l * layout.perLayer();
            System.arraycopy(h[l].data(), row * hid, values, off, hid);
            if (c[l] != null) {
                System.arraycopy(c[l].data(), row * hid, values, off + hid, hid);
            }
        }
    }

    /** Row {@code row}'s output of the last step (probabilities or values), a view. */
    public Tensor output(int row) {
        return output.row(row);
    }

    // ---- used by the model's step ----

    public Tensor h(int layer) {
        return h[layer];
    }

    public Tensor c(int layer) {
        return c[layer];
    }

    public Tensor hNext(int layer) {
        return hNext[layer];
    }

    public Tensor cNext(int layer) {
        return cNext[layer];
    }

    public StepCache cache(int layer) {
        return caches[layer];
    }

    public Tensor inputBuffer() {
        return input;
    }

    public Tensor outputBuffer() {
        return output;
    }

    /**
     * In a device-resident step: asks for what the host reads after it, rows [0, rows) of every
     * layer's new state and of the output (call after the step, whose advance made them current).
     */
    public void keep(Residency.Scope scope, int rows) {
        for (int l = 0; l < h.length; l++) {
            scope.keep(h[l].slice(0, rows));
            if (c[l] != null) {
                scope.keep(c[l].slice(0, rows));
            }
        }
        scope.keep(output.slice(0, rows));
    }

    /** After a step: the next states become the current ones (buffers are swapped, not copied). */
    public void advance() {
        for (int l = 0; l < h.length; l++) {
            Tensor t = h[l];
            h[l] = hNext[l];
            hNext[l] = t;
            t = c[l];
            c[l] = cNext[l];
            cNext[l] = t;
        }
    }
}
