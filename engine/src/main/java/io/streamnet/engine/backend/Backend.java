package io.streamnet.engine.backend;

import io.streamnet.engine.tensor.Tensor;
import java.util.List;

/**
 * The compute SPI. Every layer calls these operations and nothing else, so a CUDA backend slots in
 * behind the same calls. Shapes are in the comments as {@code (N,C)} etc.; outputs are written into
 * caller-provided tensors so that steady-state loops allocate nothing. Operations that accumulate
 * say so; the rest overwrite their output.
 */
public interface Backend {
    /** A short name for logs: "cpu", "cuda:0". */
    String name();

    default Tensor allocate(int... shape) {
        return Tensor.zeros(shape);
    }

    /**
     * A workspace in which one owner's repeated steps run device-resident ({@link Residency}), with
     * {@code constants} (a model's weights, never written while it lives) uploaded once. A host
     * backend returns {@link Residency#NONE}.
     */
    default Residency residency(List<Tensor> constants) {
        return Residency.NONE;
    }

    /**
     * A caller is about to read {@code t}'s elements on the host directly, not through this SPI (a
     * layer's own loop): in a device-resident run the device's writes to it come home first.
     */
    default void toHost(Tensor t) {
    }

    /** A caller wrote {@code t} on the host directly: in a device-resident run its device copy is stale. */
    default void hostWrote(Tensor t) {
    }

    // ---- BLAS ----

    /**
     * {@code C = alpha * op(A) op(B) + beta * C}. Rank 2: A (M,K) or (K,M) when transposed, B (K,N)
     * or (N,K), C (M,N). Rank 3: the same per batch entry, all three with the same leading batch size.
     * With {@code beta == 0} C is not read (NaNs in C do not propagate).
     */
    void gemm(boolean transA, boolean transB, float alpha, Tensor a, Tensor b, float beta, Tensor c);

    /** {@code y = alpha * op(A) x + beta * y}; A (M,N), x (N) or (M) when transposed. */
    void gemv(boolean transA, float alpha, Tensor a, Tensor x, float beta, Tensor y);

    // ---- element-wise and reductions ----

    /** x (N,C) += bias (C), in place, broadcast over rows. */
    void addBias(Tensor x, Tensor bias);

    /** x (N,C,S) += bias (C) for every spatial position: the convolution bias. */
    void addChannelBias(Tensor x, Tensor bias);

    /** out (C) (+)= column sums of x (N,C); accumulates when {@code accumulate}. */
    void sumRows(Tensor x, Tensor out, boolean accumulate);

    /** out (C) (+)= sums of x (N,C,S) over N and S: the convolution bias gradient. */
    void sumChannels(Tensor x, Tensor out, boolean accumulate);

    /** y = f(x); y may be x. */
    void activate(Activation f, Tensor x, Tensor y);

    /**
     * gradX = f'(x) * gradY, with x the input and y = f(x) the output of the forward pass
     * (sigmoid and tanh use y, the ReLUs use x). gradX may be gradY.
     */
    void activateBackward(Activation f, Tensor x, Tensor y, Tensor gradY, Tensor gradX);

    /** y = alpha * x + y. */
    void axpy(float alpha, Tensor x, Tensor y);

    /** x *= alpha. */
    void scale(Tensor x, float alpha);

    /** out = a + b. */
    void add(Tensor a, Tensor b, Tensor out);

    /** out = a * b element-wise; out may alias a or b. */
    void mul(Tensor a, Tensor b, Tensor out);

    float sum(Tensor x);

    float sumOfSquares(Tensor x);

    /** out[i] = index of the largest entry of row i of x (N,C). */
    void argmaxRows(Tensor x, int[] out);

    // ---- softmax and losses ----

    /** Row-wise softmax of x (N,C) into y, max-subtracted so large logits do not overflow. */
    void softmax(Tensor x, Tensor y);

    /** Row-wise log-softmax of x (N,C) into y, computed as x - max - log(sum(exp(x - max))). */
    void logSoftmax(Tensor x, Tensor y);

    /**
     * Mean squared error over all elements, {@code mean((pred - target)^2)}; when {@code grad} is not
     * null it receives d loss / d pred.
     */
    float mse(Tensor pred, Tensor target, Tensor grad);

    /**
     * Mean cross-entropy of softmax(logits (N,C)) against class labels (the first N entries of
     * {@code labels}), computed through log-softmax.
     * When {@code grad} is not null it receives the fused gradient {@code (softmax - onehot) / N}.
     */
    float softmaxCrossEntropy(Tensor logits, int[] labels, Tensor grad);

    /**
     * Mean binary/multi-class cross-entropy of probabilities p (N,C) against labels:
     * {@code -mean(log p[label])}; when {@code grad} is not null it receives {@code -1/(N p)} at the
     * label and 0 elsewhere. Probabilities are clamped at 1e-12 to keep the log finite.
     */
    float crossEntropy(Tensor probs, int[] labels, Tensor grad);

    // ---- convolution helpers ----

    /** image (C,H,W) -> cols (C*kH*kW, outH*outW), zero padding outside the image. */
    void im2col(Tensor image, ConvGeometry g, Tensor cols);

    /** The adjoint of im2col: image (C,H,W) += scattered cols (C*kH*kW, outH*outW). */
    void col2im(Tensor cols, ConvGeometry g, Tensor image);

    /**
     * The batched im2col: images (N,C,H,W) -> cols (C*kH*kW, N*outH*outW), image n in the columns
     * [n*P, (n+1)*P) with P = outH*outW, so that one gemm W (F, C*kH*kW) cols gives (F, N*P) for the
     * whole batch.
     */
    void im2colBatch(Tensor images, ConvGeometry g, Tensor cols);

    /** The adjoint of {@link #im2colBatch}: images (N,C,H,W) += scattered cols (C*kH*kW, N*outH*outW). */
    void col2imBatch(Tensor cols, ConvGeometry g, Tensor images);

    /**
     * out (B,A,S...) = x (A,B,S...) with the two leading axes swapped; S is every later axis, moved as
     * a block. Converts between the gemm's (F, N*P) layout and (N, F, P).
     */
    void swapLeadingAxes(Tensor x, Tensor out);

    /**
     * A convolution's output pass in one sweep: {@code out (N,F,S) = act(x (F,N,S) with its leading
     * axes swapped + shift (F) per channel + residual (N,F,S))}. {@code shift}, {@code residual} and
     * {@code act} may each be null (none). Inference uses it with batch norm folded into the weights
     * and the shift, and a residual block's sum and ReLU. The default composes the separate operations.
     */
    default void convOutput(Tensor x, Tensor shift, Tensor residual, Activation act, Tensor out) {
        swapLeadingAxes(x, out);
        if (shift != null) {
            addChannelBias(out, shift);
        }
        if (residual != null) {
            add(out, residual, out);
        }
        if (act != null) {
            activate(act, out, out);
        }
    }

    /**
     * Inference convolution in one pass where the backend has one for this geometry:
     * {@code out (N,F,H',W') = act(conv(x (N,C,H,W), weight (F, C*kH*kW)) + shift (F) + residual)},
     * shift, residual and act optional as in {@link #convOutput}. Returns false, having done nothing,
     * when it has none: the caller then runs im2col, gemm and {@link #convOutput}.
     */
    default boolean convolve(Tensor x, ConvGeometry g, Tensor weight, Tensor shift, Tensor residual, Activation act,
                             Tensor out) {
        return false;
    }

    /**
     * The backward of {@link #convolve} with no shift, residual or activation: {@code gradWeight
     * (F, C*kH*kW) += dL/dW} and {@code gradInput (N,C,H,W) = dL/dx} from {@code gradOut (N,F,H',W')}.
     * Returns false, having done nothing, when the backend has none for this geometry (the caller
     * then runs im2col, the two gemms and col2im).
     */
    default boolean convolveBackward(Tensor x, ConvGeometry g, Tensor weight, Tensor gradOut, Tensor gradWeight,
                                     Tensor gradInput) {
        return false;
    }

    /**
     * in (N,C,H,W) -> out (N,C,outH,outW); argmax records each output's flat input index, or is null
     * in inference (nothing recorded, so no backward may follow).
     */
    void maxPool(Tensor in, PoolGeometry g, Tensor out, int[] argmax);

    /** gradIn (N,C,H,W) += gradOut routed to the recorded argmax positions. */
    void maxPoolBackward(Tensor gradOut, int[] argmax, Tensor gradIn);

    void avgPool(Tensor in, PoolGeometry g, Tensor out);

    /** gradIn (N,C,H,W) += gradOut spread evenly over each window. */
    void avgPoolBackward(Tensor gradOut, PoolGeometry g, Tensor gradIn);

    // ---- fused recurrent cell math (the gemms around them are separate calls) ----

    /**
     * LSTM gates, order i, f, g, o. In: {@code gates} (B,4H) holds pre-activations x W_x + h W_h + b;
     * out: it holds the activations sigmoid(i), sigmoid(f), tanh(g), sigmoid(o). Then
     * {@code c' = f*c + i*g} into cOut and {@code h' = o*tanh(c')} into hOut; tanhC (B,H), when not
     * null, keeps tanh(c') for the backward pass.
     */
    void lstmForward(Tensor gates, Tensor cPrev, Tensor cOut, Tensor hOut, Tensor tanhC);

    /**
     * Backward of {@link #lstmForward}: from dh' and dc' (B,H) writes the pre-activation gradient
     * dGates (B,4H) and overwrites {@code dc} with dL/dc (the previous cell state).
     */
    void lstmBackward(Tensor acts, Tensor cPrev, Tensor tanhC, Tensor dh, Tensor dc, Tensor dGates);

    /**
     * GRU (the cuDNN/PyTorch form), order r, z, n. In: gx = x W_x + b_x and gh = h W_h + b_h, both
     * (B,3H). Computes r = sigmoid(gx_r + gh_r), z = sigmoid(gx_z + gh_z), n = tanh(gx_n + r * gh_n),
     * h' = (1 - z) * n + z * h; gx is overwritten with the activations r, z, n; gh is left as it is.
     */
    void gruForward(Tensor gx, Tensor gh, Tensor hPrev, Tensor hOut);

    /**
     * Backward of {@link #gruForward}: from dh' (B,H) writes dgx and dgh (B,3H), the gradients of the
     * two pre-activation sums, and dhDirect (B,H) = dh' * z, the part of dL/dh that bypasses the gemm.
     */
    void gruBackward(Tensor acts, Tensor gh, Tensor hPrev, Tensor dhOut, Tensor dgx, Tensor dgh, Tensor dhDirect);

    // ---- embeddings ----

    /** out (N,D) row i = table (V,D) row ids[i]; ids are checked against V. */
    void gatherRows(Tensor table, int[] ids, int count, Tensor out);

    /** gradTable (V,D) row ids[i] += grad (N,D) row i: the embedding backward. */
    void scatterAddRows(Tensor grad, int[] ids, int count, Tensor gradTable);

    // ---- optimizer updates ----

    /**
     * SGD with momentum and L2 weight decay: {@code v = momentum * v + (grad + wd * param);
     * param -= lr * v}.
     */
    void sgdUpdate(Tensor param, Tensor grad, Tensor velocity, float lr, float momentum, float weightDecay);

    /**
     * Adam (Kingma and Ba) with bias correction at step {@code t} (1-based) and L2 weight decay
     * added to the gradient.
     */
    void adamUpdate(Tensor param, Tensor grad, Tensor m, Tensor v, float lr, float beta1, float beta2,
                    float epsilon, int t, float weightDecay);
}
