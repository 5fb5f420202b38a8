package io.streamnet.bench.peers;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.recurrent.RNN;
import java.util.Random;

/**
 * One batched recurrent step through PyTorch's fused cells via DJL ({@code torch.rnn_tanh},
 * {@code torch.lstm}, {@code torch.gru}): B keys, input F, H units, one layer, no grad; the kernel
 * peer of our {@code RnnStepBenchmark} step. Each call's result tensors live in a child manager
 * closed after it, as a caller of DJL does per step.
 */
final class DjlStep implements AutoCloseable {
    private final NDManager manager;
    private final String cell;
    private final NDArray x; // (B, 1, F), batch first
    private final NDArray h; // (1, B, H)
    private final NDArray c; // (1, B, H), LSTM only
    private final NDList params; // w_ih (G*H, F), w_hh (G*H, H), b_ih, b_hh

    DjlStep(String cell, int batch, int features, int hidden) {
        this.manager = DjlLstm.manager();
        this.cell = cell;
        int gates = switch (cell) {
            case "rnn" -> 1;
            case "lstm" -> 4;
            case "gru" -> 3;
            default -> throw new IllegalArgumentException("cell " + cell);
        };
        Random rnd = new Random(1);
        x = random(rnd, 1f, batch, 1, features);
        h = random(rnd, 0.5f, 1, batch, hidden);
        c = random(rnd, 0.5f, 1, batch, hidden);
        float k = (float) (1 / Math.sqrt(hidden));
        params = new NDList(random(rnd, k, (long) gates * hidden, features), random(rnd, k, (long) gates * hidden, hidden),
                random(rnd, k, (long) gates * hidden), random(rnd, k, (long) gates * hidden));
    }

    /** One step; returns the new h's first value so that nothing is optimised away. */
    float step() {
        try (NDManager m = manager.newSubManager()) {
            NDList r = switch (cell) {
                case "rnn" -> x.getNDArrayInternal().rnn(x, h, params, true, 1, RNN.Activation.TANH, 0, false, false, true);
                case "lstm" -> x.getNDArrayInternal().lstm(x, new NDList(h, c), params, true, 1, 0, false, false, true);
                default -> x.getNDArrayInternal().gru(x, h, params, true, 1, 0, false, false, true);
            };
            r.attach(m);
            return r.get(1).getFloat(0, 0, 0);
        }
    }

    private NDArray random(Random rnd, float scale, long... shape) {
        Shape s = new Shape(shape);
        float[] v = new float[(int) s.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = (rnd.nextFloat() * 2 - 1) * scale;
        }
        return manager.create(v, s);
    }

    @Override
    public void close() {
        manager.close();
    }
}
