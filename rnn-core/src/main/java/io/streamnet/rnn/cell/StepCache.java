package io.streamnet.rnn.cell;

import io.streamnet.engine.tensor.Tensor;

/**
 * What one step's forward keeps for its backward, for up to {@code capacity} rows. The inputs and
 * states are references to the caller's buffers, which must stay unchanged until the backward;
 * gate activations and backward scratch are owned here.
 */
public final class StepCache {
    Tensor x;
    Tensor hPrev;
    Tensor cPrev;
    Tensor hOut;
    int rows;
    final Tensor gates;
    final Tensor gh;
    final Tensor tanhC;
    final Tensor dGates;
    final Tensor dgh;

    StepCache(CellType type, int capacity, int hidden) {
        int g = type.gates() * hidden;
        this.gates = Tensor.zeros(capacity, g);
        this.dGates = Tensor.zeros(capacity, g);
        this.gh = type == CellType.GRU ? Tensor.zeros(capacity, g) : null;
        this.dgh = type == CellType.GRU ? Tensor.zeros(capacity, g) : null;
        this.tanhC = type == CellType.LSTM ? Tensor.zeros(capacity, hidden) : null;
    }

    public int capacity() {
        return gates.rows();
    }

    void bind(Tensor x, Tensor hPrev, Tensor cPrev, Tensor hOut) {
        int b = x.rows();
        if (b > capacity()) {
            throw new IllegalArgumentException("step of " + b + " rows exceeds the cache capacity " + capacity());
        }
        this.x = x;
        this.hPrev = hPrev;
        this.cPrev = cPrev;
        this.hOut = hOut;
        this.rows = b;
    }

    Tensor gates() {
        return gates.slice(0, rows);
    }

    Tensor dGates() {
        return dGates.slice(0, rows);
    }

    Tensor gh() {
        return gh.slice(0, rows);
    }

    Tensor dgh() {
        return dgh.slice(0, rows);
    }

    Tensor tanhC() {
        return tanhC.slice(0, rows);
    }
}
