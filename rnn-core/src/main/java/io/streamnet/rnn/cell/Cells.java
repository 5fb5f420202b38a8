package io.streamnet.rnn.cell;

import io.streamnet.engine.backend.Backend;
import io.streamnet.engine.nn.ParameterStore;

/** Creates a cell of a given type. */
public final class Cells {
    private Cells() {
    }

    public static RecurrentCell create(CellType type, Backend backend, ParameterStore store, String name, int in,
                                       int hidden) {
        return switch (type) {
            case RNN -> new VanillaRnnCell(backend, store, name, in, hidden);
            case LSTM -> new LstmCell(backend, store, name, in, hidden);
            case GRU -> new GruCell(backend, store, name, in, hidden);
        };
    }
}
