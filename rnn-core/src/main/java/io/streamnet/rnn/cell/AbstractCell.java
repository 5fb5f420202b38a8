package io.streamnet.rnn.cell;

import io.streamnet.engine.backend.Backend;
import io.streamnet.engine.nn.Parameter;
import io.streamnet.engine.nn.ParameterStore;
import io.streamnet.engine.nn.init.Initializer;

/**
 * What every cell has: an input projection W_x (in, G*H) and a recurrent one W_h (H, G*H) for its
 * G gate blocks, Xavier-initialised, named {@code name.wx} and {@code name.wh}.
 */
abstract class AbstractCell implements RecurrentCell {
    protected final Backend backend;
    protected final Parameter wx;
    protected final Parameter wh;
    private final CellType type;
    private final int in;
    private final int hidden;

    AbstractCell(CellType type, Backend backend, ParameterStore store, String name, int in, int hidden) {
        this.type = type;
        this.backend = backend;
        this.in = in;
        this.hidden = hidden;
        int width = type.gates() * hidden;
        this.wx = store.create(name + ".wx", Initializer.XAVIER_UNIFORM, in, hidden, in, width);
        this.wh = store.create(name + ".wh", Initializer.XAVIER_UNIFORM, hidden, hidden, hidden, width);
    }

    @Override
    public final CellType type() {
        return type;
    }

    @Override
    public final int inputSize() {
        return in;
    }

    @Override
    public final int hiddenSize() {
        return hidden;
    }
}
