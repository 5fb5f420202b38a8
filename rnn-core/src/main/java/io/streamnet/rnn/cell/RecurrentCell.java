package io.streamnet.rnn.cell;

import io.streamnet.engine.nn.Parameter;
import io.streamnet.engine.tensor.Tensor;
import java.util.List;

/**
 * One recurrent layer's step over a batch of B independent rows. The cell holds only weights; all
 * per-sequence data (states, caches) is passed in, so one cell serves any number of streams.
 * {@code forward} and {@code backward} sit side by side in each implementation.
 */
public interface RecurrentCell {
    CellType type();

    int inputSize();

    int hiddenSize();

    List<Parameter> parameters();

    /** A cache for steps of up to {@code capacity} rows. */
    default StepCache newCache(int capacity) {
        return new StepCache(type(), capacity, hiddenSize());
    }

    /**
     * One step: x (B,in), hPrev (B,H) and, for LSTM, cPrev (B,H) -> hOut (B,H) and cOut (B,H). The
     * state tensors for the cell vector are null for RNN and GRU. hOut and cOut must not alias inputs.
     */
    void forward(Tensor x, Tensor hPrev, Tensor cPrev, Tensor hOut, Tensor cOut, StepCache cache);

    /**
     * Backward of the step held in {@code cache}: from dL/dhOut accumulates parameter gradients,
     * writes dL/dx into {@code dx} (unless null) and dL/dhPrev into {@code dh} (which may be the same
     * tensor as {@code dhOut}). For LSTM {@code dc} holds dL/dcOut on entry and dL/dcPrev on return.
     */
    void backward(StepCache cache, Tensor dhOut, Tensor dc, Tensor dx, Tensor dh);
}
