package io.streamnet.rnn.cell;

import io.streamnet.engine.backend.Activation;
import io.streamnet.engine.backend.Backend;
import io.streamnet.engine.nn.Parameter;
import io.streamnet.engine.nn.ParameterStore;
import io.streamnet.engine.nn.init.Initializer;
import io.streamnet.engine.tensor.Tensor;
import java.util.List;

/**
 * The classic RNN, h_t = tanh(W_hh h_{t-1} + W_hx x_t + b), written for row vectors as
 * h' = tanh(x W_x + h W_h + b) with W_x (in,H), W_h (H,H).
 */
public final class VanillaRnnCell extends AbstractCell {
    private final Parameter b;

    public VanillaRnnCell(Backend backend, ParameterStore store, String name, int in, int hidden) {
        super(CellType.RNN, backend, store, name, in, hidden);
        this.b = store.create(name + ".b", Initializer.ZEROS, in, hidden, hidden);
    }

    @Override
    public void forward(Tensor x, Tensor hPrev, Tensor cPrev, Tensor hOut, Tensor cOut, StepCache cache) {
        cache.bind(x, hPrev, null, hOut);
        Projection.forward(backend, x, wx, 0f, hOut);
        Projection.forward(backend, hPrev, wh, 1f, hOut);
        backend.addBias(hOut, b.value());
        backend.activate(Activation.TANH, hOut, hOut);
    }

    @Override
    public void backward(StepCache cache, Tensor dhOut, Tensor dc, Tensor dx, Tensor dh) {
        Tensor da = cache.dGates();
        backend.activateBackward(Activation.TANH, cache.hOut, cache.hOut, dhOut, da);
        backend.sumRows(da, b.grad(), true);
        Projection.backward(backend, cache.x, da, wx, dx, 0f);
        Projection.backward(backend, cache.hPrev, da, wh, dh, 0f);
    }

    @Override
    public List<Parameter> parameters() {
        return List.of(wx, wh, b);
    }
}
