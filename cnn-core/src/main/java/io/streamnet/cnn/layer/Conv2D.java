package io.streamnet.cnn.layer;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.streamnet.engine.backend.Activation;
import io.streamnet.engine.backend.Backend;
import io.streamnet.engine.backend.ConvGeometry;
import io.streamnet.engine.nn.Parameter;
import io.streamnet.engine.nn.ParameterStore;
import io.streamnet.engine.nn.init.Initializer;
import io.streamnet.engine.nn.layer.ActivationLayer;
import io.streamnet.engine.nn.layer.FusingLayer;
import io.streamnet.engine.nn.layer.Layer;
import io.streamnet.engine.tensor.ShapeMismatchException;
import io.streamnet.engine.tensor.Tensor;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * 2-D convolution of x (N,C,H,W) with F filters of k x k, stride s and zero padding p: y (N,F,H',W'),
 * H' = (H + 2p - k) / s + 1. Computed as one gemm for the whole batch: the batched im2col lays the
 * patches of all N images side by side in cols (C*k*k, N*H'*W'), then W (F, C*k*k) cols gives
 * (F, N*H'*W'), which is transposed to (N, F, H'*W'). The weight is stored (F, C, k, k).
 *
 * <p>A batch whose column matrix would exceed {@link #CHUNK_BYTES} (half a core's L2 cache here)
 * runs in chunks of images that fit, so that the gemms read columns from cache rather than memory
 * (a ResNet block's columns for a batch of 64 are 29 MB). In training, backward then recomputes
 * each chunk's columns from the input instead of keeping the whole batch's: the recomputation is
 * cheaper than the memory traffic it saves. The input of a chunked training forward must stay
 * unchanged until its backward (as layer outputs do in a training step).
 *
 * <p>Buffers are sized on the first call and again only when the batch size or the input size
 * changes. The backward pass reuses the cols buffer for the column gradient, so {@link #backward}
 * must follow the {@link #forward} whose activations it differentiates (as in every training step).
 */
public final class Conv2D implements FusingLayer {
    public static final String TYPE = "conv2d";
    /** Most bytes of im2col columns per inference chunk. */
    static final int CHUNK_BYTES = 512 << 10;

    private final Backend backend;
    private final int channels;
    private final int filters;
    private final int kernel;
    private final int stride;
    private final int pad;
    private final boolean hasBias;
    private final Initializer init;
    private final Parameter weight;
    private final Parameter bias;
    private final Tensor weightMat;
    private final Tensor weightGradMat;

    private ConvGeometry geometry;
    private int batch = -1;
    private Tensor cols;
    private Tensor outT;
    private Tensor outT2d;
    private Tensor output;
    private Tensor gradOutT;
    private Tensor gradOutT2d;
    private Tensor gradInput;
    /** Images per chunk, and the chunk buffers: [0] a full chunk, [1] the last, possibly shorter one. */
    private int chunk;
    private final Tensor[] chunkCols = new Tensor[2];
    private final Tensor[] chunkOutT = new Tensor[2];
    private final Tensor[] chunkOutT2d = new Tensor[2];
    /** Per-chunk views of the input, the output, the output gradient and the input gradient. */
    private final ChunkViews inputChunks = new ChunkViews();
    private final ChunkViews outputChunks = new ChunkViews();
    private final ChunkViews gradOutChunks = new ChunkViews();
    private final ChunkViews gradInputChunks = new ChunkViews();
    private Tensor input;
    /** Inference with a batch norm folded in: the scaled weights (F, C*k*k), the shift (F), the affine's scale. */
    private final Tensor foldedWeight;
    private final Tensor foldedShift;
    private final float[] foldScale;
    private final float[] foldShift;
    /**
     * What the folded weights were computed from (the batch norm, its affine, the weights and bias):
     * an unchanged fold is not rewritten, so a device-resident run keeps its device copy.
     */
    private BatchNorm foldedBn;
    private final float[] foldedScaleFrom;
    private final float[] foldedShiftFrom;
    private final float[] foldedWeightFrom;
    private final float[] foldedBiasFrom;
    private final ChunkViews residualChunks = new ChunkViews();

    public Conv2D(Backend backend, ParameterStore store, String name, int channels, int filters, int kernel,
                  int stride, int pad, boolean hasBias, Initializer init) {
        if (channels <= 0 || filters <= 0 || kernel <= 0 || stride <= 0 || pad < 0) {
            throw new IllegalArgumentException("Conv2D needs positive channels, filters, kernel, stride and pad >= 0; got "
                    + channels + ", " + filters + ", " + kernel + ", " + stride + ", " + pad);
        }
        this.backend = backend;
        this.channels = channels;
        this.filters = filters;
        this.kernel = kernel;
        this.stride = stride;
        this.pad = pad;
        this.hasBias = hasBias;
        this.init = init;
        int patch = channels * kernel * kernel;
        this.weight = store.create(name + ".weight", init, patch, filters * kernel * kernel, filters, channels, kernel, kernel);
        this.bias = hasBias ? store.create(name + ".bias", Initializer.ZEROS, patch, filters, filters) : null;
        this.weightMat = weight.value().reshape(filters, patch);
        this.weightGradMat = weight.grad().reshape(filters, patch);
        this.foldedWeight = Tensor.zeros(filters, patch);
        this.foldedShift = Tensor.zeros(filters);
        this.foldScale = new float[filters];
        this.foldShift = new float[filters];
        this.foldedScaleFrom = new float[filters];
        this.foldedShiftFrom = new float[filters];
        this.foldedWeightFrom = new float[filters * patch];
        this.foldedBiasFrom = new float[filters];
    }

    /** A following batch norm over this layer's filters, then a ReLU or identity activation: one output pass. */
    @Override
    public int fusable(List<Layer> following) {
        int k = 0;
        if (k < following.size() && following.get(k) instanceof BatchNorm bn && bn.channels() == filters) {
            k++;
        }
        if (k < following.size() && following.get(k) instanceof ActivationLayer a && fusableActivation(a.activation())) {
            k++;
        }
        return k;
    }

    @Override
    public Tensor forwardFused(Tensor x, List<Layer> fused) {
        BatchNorm bn = null;
        Activation act = null;
        for (Layer l : fused) {
            if (l instanceof BatchNorm b) {
                bn = b;
            } else {
                act = ((ActivationLayer) l).activation();
            }
        }
        return forwardInference(x, bn, null, act);
    }

    private static boolean fusableActivation(Activation a) {
        return a.kind() == Activation.Kind.RELU || a.kind() == Activation.Kind.IDENTITY;
    }

    /**
     * Inference in one output pass: {@code act(bn(conv(x)) + residual)}, with {@code bn} (may be null)
     * folded into the weights and the shift (W' = W * scale, b' = (b - mean) * scale + beta, from
     * the current parameters and running statistics on every call, so updates are seen at once),
     * {@code residual} (N,F,H',W') and {@code act} optional. Returns this layer's output buffer.
     */
    public Tensor forwardInference(Tensor x, BatchNorm bn, Tensor residual, Activation act) {
        checkInput(x);
        ensureBuffers(x.dim(0), x.dim(2), x.dim(3));
        Tensor w = weightMat;
        Tensor shift = hasBias ? bias.value() : null;
        if (bn != null) {
            if (bn.channels() != filters) {
                throw new ShapeMismatchException("Conv2D(" + channels + "->" + filters + ") cannot fold a batch norm over "
                        + bn.channels() + " channels");
            }
            bn.inferenceAffine(foldScale, foldShift);
            if (!foldIsCurrent(bn)) {
                fold(bn);
            }
            w = foldedWeight;
            shift = foldedShift;
        }
        if (residual != null && !residual.sameShape(output)) {
            throw new ShapeMismatchException("Conv2D: residual " + residual.shapeString() + " vs output "
                    + output.shapeString());
        }
        input = null;
        if (backend.convolve(x, geometry, w, shift, residual, act, output)) {
            return output;
        }
        int n = x.dim(0);
        if (chunk >= n) {
            backend.im2colBatch(x, geometry, cols);
            backend.gemm(false, false, 1f, w, cols, 0f, outT2d);
            backend.convOutput(outT, shift, residual, act, output);
        } else {
            Tensor[] xs = inputChunks.of(x, chunk);
            Tensor[] ys = outputChunks.of(output, chunk);
            Tensor[] rs = residual == null ? null : residualChunks.of(residual, chunk);
            for (int c = 0; c < xs.length; c++) {
                int k = c < xs.length - 1 ? 0 : 1;
                backend.im2colBatch(xs[c], geometry, chunkCols[k]);
                backend.gemm(false, false, 1f, w, chunkCols[k], 0f, chunkOutT2d[k]);
                backend.convOutput(chunkOutT[k], shift, rs == null ? null : rs[c], act, ys[c]);
            }
        }
        input = null;
        return output;
    }

    /** The parameters, and the folded weights and shift (rewritten only in a pass, announced). */
    @Override
    public List<Tensor> residentTensors() {
        List<Tensor> t = new java.util.ArrayList<>(FusingLayer.super.residentTensors());
        t.add(foldedWeight);
        t.add(foldedShift);
        return t;
    }

    private boolean foldIsCurrent(BatchNorm bn) {
        int len = foldedWeightFrom.length;
        return foldedBn == bn && Arrays.equals(foldScale, foldedScaleFrom) && Arrays.equals(foldShift, foldedShiftFrom)
                && Arrays.equals(weightMat.data(), weightMat.offset(), weightMat.offset() + len, foldedWeightFrom, 0, len)
                && (!hasBias || Arrays.equals(bias.value().data(), bias.value().offset(),
                bias.value().offset() + filters, foldedBiasFrom, 0, filters));
    }

    /** W' = W * scale, b' = (b - mean) * scale + beta (the affine of {@code bn} is in foldScale, foldShift). */
    private void fold(BatchNorm bn) {
        int patch = geometry.patchSize();
        float[] src = weightMat.data();
        int so = weightMat.offset();
        float[] dst = foldedWeight.data();
        for (int f = 0; f < filters; f++) {
            float sc = foldScale[f];
            for (int p = 0; p < patch; p++) {
                dst[f * patch + p] = src[so + f * patch + p] * sc;
            }
            float b = hasBias ? bias.value().at(f) * sc : 0f;
            foldedShift.put(f, b + foldShift[f]);
        }
        foldedBn = bn;
        System.arraycopy(foldScale, 0, foldedScaleFrom, 0, filters);
        System.arraycopy(foldShift, 0, foldedShiftFrom, 0, filters);
        System.arraycopy(src, so, foldedWeightFrom, 0, foldedWeightFrom.length);
        if (hasBias) {
            System.arraycopy(bias.value().data(), bias.value().offset(), foldedBiasFrom, 0, filters);
        }
        backend.hostWrote(foldedWeight);
        backend.hostWrote(foldedShift);
    }

    private void checkInput(Tensor x) {
        if (x.rank() != 4 || x.dim(1) != channels) {
            throw new ShapeMismatchException("Conv2D(" + channels + "->" + filters + "): input shape " + x.shapeString()
                    + " vs expected [N, " + channels + ", H, W]");
        }
    }

    @Override
    public Tensor forward(Tensor x, boolean training) {
        checkInput(x);
        ensureBuffers(x.dim(0), x.dim(2), x.dim(3));
        int n = x.dim(0);
        // Without im2col where a backward pass would not reuse the forward's columns (it recomputes them
        // per chunk); the whole batch's columns are kept otherwise, in eval mode too (an eval backward may follow).
        if (chunk < n && backend.convolve(x, geometry, weightMat, hasBias ? bias.value() : null, null, null, output)) {
            input = training ? x : null;
            return output;
        }
        if (chunk >= n) {
            backend.im2colBatch(x, geometry, cols);
            backend.gemm(false, false, 1f, weightMat, cols, 0f, outT2d);
            backend.swapLeadingAxes(outT, output);
        } else {
            Tensor[] xs = inputChunks.of(x, chunk);
            Tensor[] ys = outputChunks.of(output, chunk);
            for (int c = 0; c < xs.length; c++) {
                int k = c < xs.length - 1 ? 0 : 1;
                backend.im2colBatch(xs[c], geometry, chunkCols[k]);
                backend.gemm(false, false, 1f, weightMat, chunkCols[k], 0f, chunkOutT2d[k]);
                backend.swapLeadingAxes(chunkOutT[k], ys[c]);
            }
            input = training ? x : null;
        }
        if (hasBias) {
            backend.addChannelBias(output, bias.value());
        }
        return output;
    }

    @Override
    public Tensor backward(Tensor gradOut) {
        if (!gradOut.sameShape(output)) {
            throw new ShapeMismatchException("Conv2D backward: gradient " + gradOut.shapeString() + " vs output "
                    + output.shapeString());
        }
        if (hasBias) {
            backend.sumChannels(gradOut, bias.grad(), true);
        }
        if (chunk >= batch) {
            backend.swapLeadingAxes(gradOut, gradOutT);
            // dW (F,K) += gradOut^T (F,NP) cols^T (NP,K); then dcols (K,NP) = W^T gradOut^T, into cols.
            backend.gemm(false, true, 1f, gradOutT2d, cols, 1f, weightGradMat);
            backend.gemm(true, false, 1f, weightMat, gradOutT2d, 0f, cols);
            gradInput.fill(0f);
            backend.col2imBatch(cols, geometry, gradInput);
            return gradInput;
        }
        if (input == null) {
            throw new IllegalStateException("Conv2D backward needs a forward in training mode first");
        }
        if (backend.convolveBackward(input, geometry, weightMat, gradOut, weightGradMat, gradInput)) {
            return gradInput;
        }
        // Chunk by chunk, the columns recomputed from the input; the chunk buffers are free again.
        Tensor[] xs = inputChunks.of(input, chunk);
        Tensor[] gs = gradOutChunks.of(gradOut, chunk);
        Tensor[] dxs = gradInputChunks.of(gradInput, chunk);
        gradInput.fill(0f);
        for (int c = 0; c < xs.length; c++) {
            int k = c < xs.length - 1 ? 0 : 1;
            backend.im2colBatch(xs[c], geometry, chunkCols[k]);
            backend.swapLeadingAxes(gs[c], chunkOutT[k]);
            backend.gemm(false, true, 1f, chunkOutT2d[k], chunkCols[k], 1f, weightGradMat);
            backend.gemm(true, false, 1f, weightMat, chunkOutT2d[k], 0f, chunkCols[k]);
            backend.col2imBatch(chunkCols[k], geometry, dxs[c]);
        }
        return gradInput;
    }

    private void ensureBuffers(int n, int h, int w) {
        if (n == batch && geometry != null && geometry.height() == h && geometry.width() == w) {
            return;
        }
        geometry = ConvGeometry.square(channels, h, w, kernel, stride, pad);
        batch = n;
        int oh = geometry.outH();
        int ow = geometry.outW();
        int p = oh * ow;
        output = Tensor.zeros(n, filters, oh, ow);
        gradInput = Tensor.zeros(n, channels, h, w);
        chunk = Math.max(1, CHUNK_BYTES / (geometry.patchSize() * p * Float.BYTES));
        if (chunk >= n) {
            int np = n * p;
            cols = Tensor.zeros(geometry.patchSize(), np);
            outT = Tensor.zeros(filters, n, oh, ow);
            outT2d = outT.reshape(filters, np);
            gradOutT = Tensor.zeros(filters, n, oh, ow);
            gradOutT2d = gradOutT.reshape(filters, np);
        } else {
            cols = outT = outT2d = gradOutT = gradOutT2d = null; // the whole batch's columns are never held
            int[] sizes = {chunk, n % chunk == 0 ? chunk : n % chunk};
            float[] colsData = new float[geometry.patchSize() * chunk * p];
            float[] outData = new float[filters * chunk * p];
            for (int k = 0; k < 2; k++) {
                chunkCols[k] = Tensor.view(colsData, 0, geometry.patchSize(), sizes[k] * p);
                chunkOutT[k] = Tensor.view(outData, 0, filters, sizes[k], oh, ow);
                chunkOutT2d[k] = Tensor.view(outData, 0, filters, sizes[k] * p);
            }
        }
        input = null;
    }

    /** Views of consecutive chunks of a tensor's first axis, made once per tensor (layers reuse their buffers). */
    private static final class ChunkViews {
        private Tensor source;
        private int size;
        private Tensor[] views;

        Tensor[] of(Tensor t, int chunk) {
            if (t != source || chunk != size || views == null) {
                int n = t.dim(0);
                views = new Tensor[(n + chunk - 1) / chunk];
                for (int c = 0; c < views.length; c++) {
                    views[c] = t.slice(c * chunk, Math.min(n, (c + 1) * chunk));
                }
                source = t;
                size = chunk;
            }
            return views;
        }
    }

    @Override
    public List<Parameter> parameters() {
        return hasBias ? List.of(weight, bias) : List.of(weight);
    }

    public Parameter weight() {
        return weight;
    }

    /** The bias, or null for a convolution without one (e.g. before batch norm). */
    public Parameter bias() {
        return bias;
    }

    @Override
    public int[] outputShape(int[] in) {
        if (in.length != 4 || in[1] != channels) {
            throw new ShapeMismatchException("Conv2D(" + channels + "->" + filters + "): input shape "
                    + java.util.Arrays.toString(in) + " vs expected [N, " + channels + ", H, W]");
        }
        ConvGeometry g = ConvGeometry.square(channels, in[2], in[3], kernel, stride, pad);
        return new int[] {in[0], filters, g.outH(), g.outW()};
    }

    @Override
    public String describe() {
        return TYPE + " " + filters + "@" + kernel + "x" + kernel + " s" + stride + " p" + pad + (hasBias ? "" : " nobias");
    }

    @Override
    public ObjectNode spec() {
        ObjectNode n = JsonNodeFactory.instance.objectNode();
        n.put("type", TYPE);
        n.put("in", channels);
        n.put("filters", filters);
        n.put("kernel", kernel);
        n.put("stride", stride);
        n.put("pad", pad);
        n.put("bias", hasBias);
        n.put("init", init.name().toLowerCase(Locale.ROOT));
        return n;
    }
}
