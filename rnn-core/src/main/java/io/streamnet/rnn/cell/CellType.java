package io.streamnet.rnn.cell;

/** The recurrent cells, with how many H-wide gate blocks each computes per step. */
public enum CellType {
    /** h' = tanh(x W_x + h W_h + b): the classic Elman RNN. */
    RNN(1, false),
    /** Hochreiter and Schmidhuber's LSTM with forget gate; gates i, f, g, o. */
    LSTM(4, true),
    /** Cho et al.'s GRU in the cuDNN/PyTorch form; gates r, z, n. */
    GRU(3, false);

    private final int gates;
    private final boolean cellState;

    CellType(int gates, boolean cellState) {
        this.gates = gates;
        this.cellState = cellState;
    }

    public int gates() {
        return gates;
    }

    /** Whether the state carries a cell vector c beside h (LSTM). */
    public boolean hasCellState() {
        return cellState;
    }

    public static CellType parse(String s) {
        try {
            return valueOf(s.trim().toUpperCase(java.util.Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown cell '" + s + "' (expected rnn, lstm or gru)", e);
        }
    }
}
