package io.streamnet.rnn.cell;

import io.streamnet.engine.backend.Backend;
import io.streamnet.engine.nn.Parameter;
import io.streamnet.engine.tensor.Tensor;

/** The product every cell is built from, out = in W (+ beta out), and its backward. */
final class Projection {
    private Projection() {
    }

    /** out (B,G*H) = in (B,n) W (n,G*H) + beta * out. */
    static void forward(Backend backend, Tensor in, Parameter w, float beta, Tensor out) {
        backend.gemm(false, false, 1f, in, w.value(), beta, out);
    }

    /**
     * dW += in^T dOut; and, unless {@code dIn} is null, dIn = dOut W^T + beta * dIn (beta 1 adds to a
     * gradient already there).
     */
    static void backward(Backend backend, Tensor in, Tensor dOut, Parameter w, Tensor dIn, float beta) {
        backend.gemm(true, false, 1f, in, dOut, 1f, w.grad());
        if (dIn != null) {
            backend.gemm(false, true, 1f, dOut, w.value(), beta, dIn);
        }
    }
}
