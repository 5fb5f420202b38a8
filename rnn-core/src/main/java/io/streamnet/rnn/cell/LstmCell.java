package io.streamnet.rnn.cell;

import io.streamnet.engine.backend.Backend;
import io.streamnet.engine.nn.Parameter;
import io.streamnet.engine.nn.ParameterStore;
import io.streamnet.engine.nn.init.Initializer;
import io.streamnet.engine.tensor.Tensor;
import java.util.List;

/**
 * LSTM: gates (B,4H) = x W_x + h W_h + b in the order i, f, g, o; c' = f*c + i*g; h' = o*tanh(c').
 * The forget-gate bias starts at 1 so that early training keeps memory (Jozefowicz et al., 2015).
 */
public final class LstmCell extends AbstractCell {
    private final Parameter b;

    public LstmCell(Backend backend, ParameterStore store, String name, int in, int hidden) {
        super(CellType.LSTM, backend, store, name, in, hidden);
        this.b = store.create(name + ".b", Initializer.ZEROS, in, hidden, 4 * hidden);
        b.value().reshape(4, hidden).row(1).fill(1f);
    }

    @Override
    public void forward(Tensor x, Tensor hPrev, Tensor cPrev, Tensor hOut, Tensor cOut, StepCache cache) {
        cache.bind(x, hPrev, cPrev, hOut);
        Tensor gates = cache.gates();
        Projection.forward(backend, x, wx, 0f, gates);
        Projection.forward(backend, hPrev, wh, 1f, gates);
        backend.addBias(gates, b.value());
        backend.lstmForward(gates, cPrev, cOut, hOut, cache.tanhC());
    }

    @Override
    public void backward(StepCache cache, Tensor dhOut, Tensor dc, Tensor dx, Tensor dh) {
        Tensor dGates = cache.dGates();
        backend.lstmBackward(cache.gates(), cache.cPrev, cache.tanhC(), dhOut, dc, dGates);
        backend.sumRows(dGates, b.grad(), true);
        Projection.backward(backend, cache.x, dGates, wx, dx, 0f);
        Projection.backward(backend, cache.hPrev, dGates, wh, dh, 0f);
    }

    @Override
    public List<Parameter> parameters() {
        return List.of(wx, wh, b);
    }
}
