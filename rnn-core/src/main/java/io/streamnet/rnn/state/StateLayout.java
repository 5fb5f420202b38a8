package io.streamnet.rnn.state;

import io.streamnet.rnn.cell.CellType;

/**
 * How a key's recurrent state is laid out in its float[]: for each layer, h (H floats) and, for
 * LSTM, c (H floats). Two models can exchange states only if their layouts are equal.
 */
public record StateLayout(CellType cell, int layers, int hidden) {
    public StateLayout {
        if (cell == null || layers <= 0 || hidden <= 0) {
            throw new IllegalArgumentException("invalid state layout " + cell + " x" + layers + " H=" + hidden);
        }
    }

    /** Floats per layer: h, plus c for LSTM. */
    public int perLayer() {
        return cell.hasCellState() ? 2 * hidden : hidden;
    }

    public int size() {
        return layers * perLayer();
    }

    /** A stable 32-bit identifier of the layout, stored with encoded states. */
    public int fingerprint() {
        int h = 0x5717;
        h = 31 * h + cell.ordinal();
        h = 31 * h + layers;
        h = 31 * h + hidden;
        return h;
    }

    @Override
    public String toString() {
        return cell.name().toLowerCase(java.util.Locale.ROOT) + " x" + layers + " H=" + hidden;
    }
}
