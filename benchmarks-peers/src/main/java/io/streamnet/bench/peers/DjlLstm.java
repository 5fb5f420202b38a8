package io.streamnet.bench.peers;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.Random;

/**
 * One LSTM layer and a linear softmax head as PyTorch tensors through DJL, initialised as
 * {@code nn.LSTM} and {@code nn.Linear} are (uniform in +-1/sqrt(H)). {@link #step} is one time
 * step of a batch: PyTorch's fused {@code torch.lstm} (gate order i, f, g, o), then the head.
 */
final class DjlLstm {
    private final NDList params; // w_ih (4H, F), w_hh (4H, H), b_ih (4H), b_hh (4H)
    private final NDArray headW; // (C, H)
    private final NDArray headB; // (C)

    DjlLstm(NDManager m, int features, int hidden, int classes, long seed) {
        Random rnd = new Random(seed);
        float k = (float) (1 / Math.sqrt(hidden));
        params = new NDList(uniform(m, rnd, k, 4L * hidden, features), uniform(m, rnd, k, 4L * hidden, hidden),
                uniform(m, rnd, k, 4L * hidden), uniform(m, rnd, k, 4L * hidden));
        headW = uniform(m, rnd, k, classes, hidden);
        headB = uniform(m, rnd, k, classes);
    }

    /** The PyTorch engine, offline (its CPU natives come from the jar on the classpath). */
    static NDManager manager() {
        System.setProperty("offline", "true");
        // one intra-op thread per Flink subtask, as ours computes (parallelism 2 on 2 cores)
        System.setProperty("ai.djl.pytorch.num_threads", "1");
        System.setProperty("ai.djl.pytorch.num_interop_threads", "1");
        return Engine.getEngine("PyTorch").newBaseManager();
    }

    /** Loads PyTorch and runs a step: throws where DJL's PyTorch cannot run. */
    static void probe() {
        try (NDManager m = manager()) {
            DjlLstm l = new DjlLstm(m, 4, 8, 2, 1);
            l.step(m.zeros(new Shape(1, 4)), m.zeros(new Shape(1, 1, 8)), m.zeros(new Shape(1, 1, 8)));
        }
    }

    static String djlVersion() {
        return Engine.getDjlVersion();
    }

    static String torchVersion() {
        return Engine.getEngine("PyTorch").getVersion();
    }

    /** x (B, F), h and c (1, B, H) -> probabilities (B, C), h' (1, B, H), c' (1, B, H). */
    NDList step(NDArray x, NDArray h, NDArray c) {
        NDArray seq = x.expandDims(1); // (B, 1, F), batch first
        NDList r = seq.getNDArrayInternal().lstm(seq, new NDList(h, c), params, true, 1, 0, false, false, true);
        NDArray hOut = r.get(1);
        NDArray logits = hOut.get(0).matMul(headW.transpose()).add(headB); // (B, C)
        return new NDList(logits.softmax(1), hOut, r.get(2));
    }

    private static NDArray uniform(NDManager m, Random rnd, float k, long... shape) {
        Shape s = new Shape(shape);
        float[] v = new float[(int) s.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = (rnd.nextFloat() * 2 - 1) * k;
        }
        return m.create(v, s);
    }
}
