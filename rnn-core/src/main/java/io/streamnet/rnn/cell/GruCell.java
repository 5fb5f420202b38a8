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
public final class GruCell implements RecurrentCell {
    private final Backend backend;
    private final int in;
    private final int hidden;
    private final Parameter wx;
    private final Parameter wh;
    private final Parameter bx;
    private final Parameter bh;

    public GruCell(Backend backend, ParameterStore store, String name, int in, int hidden) {
        this.backend = backend;
        this.in = in;
        this.hidden = hidden;
        this.wx = store.create(name + ".wx", Initializer.XAVIER_UNIFORM, in, hidden, in, 3 * hidden);
        this.wh = store.create(name + ".wh", Initializer.XAVIER_UNIFORM, hidden, hidden, hidden, 3 * hidden);
        this.bx = store.create(name + ".bx", Initializer.ZEROS, in, hidden, 3 * hidden);
        this.bh = store.create(name + ".bh", Initializer.ZEROS, in, hidden, 3 * hidden);
    }

    @Override
    public void forward(Tensor x, Tensor hPrev, Tensor cPrev, Tensor hOut, Tensor cOut, StepCache cache) {
        cache.bind(x, hPrev, null, hOut);
        Tensor gx = cache.gates();
        Tensor gh = cache.gh();
        backend.gemm(false, false, 1f, x, wx.value(), 0f, gx);
        backend.addBias(gx, bx.value());
        backend.gemm(false, false, 1f, hPrev, wh.value(), 0f, gh);
        backend.addBias(gh, bh.value());
        backend.gruForward(gx, gh, hPrev, hOut);
    }

    @Override
    public void backward(StepCache cache, Tensor dhOut, Tensor dc, Tensor dx, Tensor dh) {
        Tensor dgx = cache.dGates();
        Tensor dgh = cache.dgh();
        backend.gruBackward(cache.gates(), cache.gh(), cache.hPrev, dhOut, dgx, dgh, dh);
        backend.gemm(true, false, 1f, cache.x, dgx, 1f, wx.grad());
        backend.sumRows(dgx, bx.grad(), true);
        backend.gemm(true, false, 1f, cache.hPrev, dgh, 1f, wh.grad());
        backend.sumRows(dgh, bh.grad(), true);
        if (dx != null) {
            backend.gemm(false, true, 1f, dgx, wx.value(), 0f, dx);
        }
        backend.gemm(false, true, 1f, dgh, wh.value(), 1f, dh);
    }

    @Override
    public CellType type() {
        return CellType.GRU;
    }

    @Override
    public int inputSize() {
        return in;
    }

    @Override
    public int hiddenSize() {
        return hidden;
    }

    @Override
    public List<Parameter> parameters() {
        return List.of(wx, wh, bx, bh);
    }
}
