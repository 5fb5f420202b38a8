package io.streamnet.cnn.layer;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.streamnet.engine.backend.Backend;
import io.streamnet.engine.cpu.CpuBackend;
import io.streamnet.engine.cpu.PlaneSums;
import io.streamnet.engine.nn.Parameter;
import io.streamnet.engine.nn.ParameterStore;
import io.streamnet.engine.nn.init.Initializer;
import io.streamnet.engine.nn.layer.Layer;
import io.streamnet.engine.tensor.ShapeMismatchException;
import io.streamnet.engine.tensor.Tensor;
import java.util.List;

/**
 * Batch normalisation (Ioffe and Szegedy, 2015) over the channel axis: x (N,C) after a dense layer
 * or x (N,C,H,W) after a convolution, statistics per channel over N (and H, W).
 *
 * <p>Training mode ({@code forward(x, true)}) normalises with the batch mean and (biased) variance
 * and moves the running statistics: {@code running = (1 - momentum) running + momentum batch}, the
 * variance unbiased by M/(M-1) as in PyTorch. Eval mode normalises with the running statistics.
 * The running mean and variance are state tensors of the {@link ParameterStore}
 * ({@code name.running_mean}, {@code name.running_var}), so checkpoints carry them.
 *
 * <p>The arithmetic runs here on the host arrays (the Backend SPI has no batch-norm operation yet);
 * sums over a plane are accumulated in float, across planes in double. Nothing is allocated per call once the buffers fit the batch.
 */
public final class BatchNorm implements Layer {
    public static final String TYPE = "batchnorm";
    public static final float DEFAULT_EPSILON = 1e-5f;
    public static final float DEFAULT_MOMENTUM = 0.1f;

    /** Only for the host-access hooks of a device-resident run: this layer's arithmetic is on the host. */
    private final Backend backend;
    private final int channels;
    private final float epsilon;
    private final float momentum;
    private final Parameter gamma;
    private final Parameter beta;
    private final Tensor runningMean;
    private final Tensor runningVar;
    private final float[] mean;
    private final float[] invStd;

    private Tensor xhat;
    private Tensor output;
    private Tensor gradInput;
    private boolean lastTraining;

    public BatchNorm(ParameterStore store, String name, int channels) {
        this(CpuBackend.instance(), store, name, channels, DEFAULT_EPSILON, DEFAULT_MOMENTUM);
    }

    public BatchNorm(Backend backend, ParameterStore store, String name, int channels) {
        this(backend, store, name, channels, DEFAULT_EPSILON, DEFAULT_MOMENTUM);
    }

    public BatchNorm(Backend backend, ParameterStore store, String name, int channels, float epsilon, float momentum) {
        if (channels <= 0 || !(epsilon > 0f) || !(momentum >= 0f && momentum <= 1f)) {
            throw new IllegalArgumentException("BatchNorm needs channels > 0, epsilon > 0, momentum in [0, 1]; got "
                    + channels + ", " + epsilon + ", " + momentum);
        }
        this.backend = backend;
        this.channels = channels;
        this.epsilon = epsilon;
        this.momentum = momentum;
        this.gamma = store.create(name + ".gamma", Initializer.ZEROS, channels, channels, channels);
        this.gamma.value().fill(1f);
        this.beta = store.create(name + ".beta", Initializer.ZEROS, channels, channels, channels);
        this.runningMean = store.createState(name + ".running_mean", 0f, channels);
        this.runningVar = store.createState(name + ".running_var", 1f, channels);
        this.mean = new float[channels];
        this.invStd = new float[channels];
    }

    @Override
    public Tensor forward(Tensor x, boolean training) {
        if (x.rank() < 2 || x.dim(1) != channels) {
            throw new ShapeMismatchException("BatchNorm(" + channels + "): input shape " + x.shapeString()
                    + " vs expected [N, " + channels + ", ...]");
        }
        if (output == null || !output.sameShape(x)) {
            output = Tensor.zeros(x.shape());
            xhat = Tensor.zeros(x.shape());
            gradInput = Tensor.zeros(x.shape());
        }
        int n = x.dim(0);
        int spatial = n == 0 ? 0 : x.size() / (n * channels);
        long m = (long) n * spatial;
        backend.toHost(x); // the loops below read x on the host
        float[] xd = x.data();
        int xo = x.offset();
        if (training) {
            if (m < 2) {
                throw new IllegalArgumentException("BatchNorm in training mode needs more than one value per channel, got "
                        + x.shapeString());
            }
            for (int c = 0; c < channels; c++) {
                double s = 0;
                for (int i = 0; i < n; i++) {
                    s += PlaneSums.sum(xd, xo + (i * channels + c) * spatial, spatial);
                }
                double mu = s / m;
                double ss = 0;
                for (int i = 0; i < n; i++) {
                    ss += PlaneSums.squaredDeviations(xd, xo + (i * channels + c) * spatial, spatial, (float) mu);
                }
                double var = ss / m;
                mean[c] = (float) mu;
                invStd[c] = (float) (1.0 / Math.sqrt(var + epsilon));
                float[] rm = runningMean.data();
                float[] rv = runningVar.data();
                rm[runningMean.offset() + c] = (1f - momentum) * rm[runningMean.offset() + c] + momentum * (float) mu;
                rv[runningVar.offset() + c] = (1f - momentum) * rv[runningVar.offset() + c]
                        + momentum * (float) (ss / (m - 1));
            }
        } else {
            for (int c = 0; c < channels; c++) {
                mean[c] = runningMean.at(c);
                invStd[c] = (float) (1.0 / Math.sqrt(runningVar.at(c) + (double) epsilon));
            }
        }
        float[] hd = xhat.data();
        float[] yd = output.data();
        float[] g = gamma.value().data();
        int go = gamma.value().offset();
        float[] b = beta.value().data();
        int bo = beta.value().offset();
        for (int i = 0; i < n; i++) {
            for (int c = 0; c < channels; c++) {
                int base = (i * channels + c) * spatial;
                float mu = mean[c];
                float is = invStd[c];
                float gc = g[go + c];
                float bc = b[bo + c];
                for (int k = 0; k < spatial; k++) {
                    float h = (xd[xo + base + k] - mu) * is;
                    hd[base + k] = h;
                    yd[base + k] = gc * h + bc;
                }
            }
        }
        backend.hostWrote(output);
        backend.hostWrote(xhat);
        lastTraining = training;
        return output;
    }

    @Override
    public Tensor backward(Tensor gradOut) {
        if (!gradOut.sameShape(output)) {
            throw new ShapeMismatchException("BatchNorm backward: gradient " + gradOut.shapeString() + " vs output "
                    + output.shapeString());
        }
        int n = gradOut.dim(0);
        int spatial = n == 0 ? 0 : gradOut.size() / (n * channels);
        long m = (long) n * spatial;
        backend.toHost(gradOut);
        float[] gd = gradOut.data();
        int god = gradOut.offset();
        float[] hd = xhat.data();
        float[] dx = gradInput.data();
        float[] g = gamma.value().data();
        int go = gamma.value().offset();
        float[] dg = gamma.grad().data();
        int dgo = gamma.grad().offset();
        float[] db = beta.grad().data();
        int dbo = beta.grad().offset();
        for (int c = 0; c < channels; c++) {
            double sumG = 0;
            double sumGH = 0;
            for (int i = 0; i < n; i++) {
                int base = (i * channels + c) * spatial;
                sumG += PlaneSums.sum(gd, god + base, spatial);
                sumGH += PlaneSums.dot(gd, god + base, hd, base, spatial);
            }
            dg[dgo + c] += (float) sumGH;
            db[dbo + c] += (float) sumG;
            float scale = g[go + c] * invStd[c];
            if (lastTraining) {
                // dx = gamma * invStd / M * (M g - sum(g) - xhat sum(g xhat))
                float meanG = (float) (sumG / m);
                float meanGH = (float) (sumGH / m);
                for (int i = 0; i < n; i++) {
                    int base = (i * channels + c) * spatial;
                    for (int k = 0; k < spatial; k++) {
                        dx[base + k] = scale * (gd[god + base + k] - meanG - hd[base + k] * meanGH);
                    }
                }
            } else {
                for (int i = 0; i < n; i++) {
                    int base = (i * channels + c) * spatial;
                    for (int k = 0; k < spatial; k++) {
                        dx[base + k] = scale * gd[god + base + k];
                    }
                }
            }
        }
        backend.hostWrote(gradInput);
        return gradInput;
    }

    /**
     * Eval mode as a per-channel affine map, {@code y = scale * x + shift}, so that a convolution before
     * it can fold it into its weights: scale = gamma / sqrt(running_var + eps), shift = beta - running_mean * scale.
     */
    public void inferenceAffine(float[] scale, float[] shift) {
        for (int c = 0; c < channels; c++) {
            float is = (float) (1.0 / Math.sqrt(runningVar.at(c) + (double) epsilon));
            float sc = gamma.value().at(c) * is;
            scale[c] = sc;
            shift[c] = beta.value().at(c) - runningMean.at(c) * sc;
        }
    }

    public int channels() {
        return channels;
    }


    @Override
    public List<Parameter> parameters() {
        return List.of(gamma, beta);
    }

    public Parameter gamma() {
        return gamma;
    }

    public Parameter beta() {
        return beta;
    }

    public Tensor runningMean() {
        return runningMean;
    }

    public Tensor runningVar() {
        return runningVar;
    }

    @Override
    public int[] outputShape(int[] in) {
        if (in.length < 2 || in[1] != channels) {
            throw new ShapeMismatchException("BatchNorm(" + channels + "): input shape " + java.util.Arrays.toString(in)
                    + " vs expected [N, " + channels + ", ...]");
        }
        return in.clone();
    }

    @Override
    public String describe() {
        return TYPE + " " + channels;
    }

    @Override
    public ObjectNode spec() {
        ObjectNode n = JsonNodeFactory.instance.objectNode();
        n.put("type", TYPE);
        n.put("channels", channels);
        n.put("epsilon", epsilon);
        n.put("momentum", momentum);
        return n;
    }
}
