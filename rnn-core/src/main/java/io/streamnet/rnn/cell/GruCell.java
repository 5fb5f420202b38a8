package io.streamnet.rnn.cell;

import io.streamnet.engine.backend.Backend;
import io.streamnet.engine.nn.Parameter;
import io.streamnet.engine.nn.ParameterStore;
import io.streamnet.engine.nn.init.Initializer;
import io.streamnet.engine.tensor.Tensor;
import java.util.List;

/**
 * GRU in the cuDNN/PyTorch form: gx = x W_x + b_x, gh = h W_h + b_h (both (B,3H), order r, z, n);
 * r = sigmoid(gx_r + gh_r), z = sigmoid(gx_z + gh_z), n = tanh(gx_n + r * gh_n), h' = (1-z) n + z h.
 */
public final class GruCell extends AbstractCell {
    private final Parameter bx;
    private final Parameter bh;

    public GruCell(Backend backend, ParameterStore store, String name, int in, int hidden) {
        super(CellType.GRU, backend, store, name, in, hidden);
        this.bx = store.create(name + ".bx", Initializer.ZEROS, in, hidden, 3 * hidden);
        this.bh = store.create(name + ".bh", Initializer.ZEROS, in, hidden, 3 * hidden);
    }

    @Override
    public void forward(Tensor x, Tensor hPrev, Tensor cPrev, Tensor hOut, Tensor cOut, StepCache cache) {
        cache.bind(x, hPrev, null, hOut);
        Tensor gx = cache.gates();
        Tensor gh = cache.gh();
        Projection.forward(backend, x, wx, 0f, gx);
        backend.addBias(gx, bx.value());
        Projection.forward(backend, hPrev, wh, 0f, gh);
        backend.addBias(gh, bh.value());
        backend.gruForward(gx, gh, hPrev, hOut);
    }

    @Override
    public void backward(StepCache cache, Tensor dhOut, Tensor dc, Tensor dx, Tensor dh) {
        Tensor dgx = cache.dGates();
        Tensor dgh = cache.dgh();
        backend.gruBackward(cache.gates(), cache.gh(), cache.hPrev, dhOut, dgx, dgh, dh);
        backend.sumRows(dgx, bx.grad(), true);
        backend.sumRows(dgh, bh.grad(), true);
        Projection.backward(backend, cache.x, dgx, wx, dx, 0f);
        // dh already holds the direct path dh' * z; the gemm adds the path through the gates.
        Projection.backward(backend, cache.hPrev, dgh, wh, dh, 1f);
    }

    @Override
    public List<Parameter> parameters() {
        return List.of(wx, wh, bx, bh);
    }
}
