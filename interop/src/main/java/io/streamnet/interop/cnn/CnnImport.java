package io.streamnet.interop.cnn;

import io.streamnet.cnn.layer.BatchNorm;
import io.streamnet.cnn.layer.CnnBuilder;
import io.streamnet.cnn.layer.ResidualBlock;
import io.streamnet.engine.backend.Backend;
import io.streamnet.engine.nn.Parameter;
import io.streamnet.engine.nn.ParameterStore;
import io.streamnet.engine.nn.init.Initializer;
import io.streamnet.engine.nn.layer.Sequential;
import io.streamnet.engine.tensor.Tensor;
import io.streamnet.interop.ImportException;
import io.streamnet.interop.Matrices;
import io.streamnet.interop.safetensors.DType;
import io.streamnet.interop.safetensors.SafeTensors;
import java.util.Arrays;
import java.util.List;

/**
 * Imported CNN layers ({@link CnnLayer}, PyTorch layouts) onto cnn-core's {@link Sequential}: the
 * shapes are checked layer by layer as the model is built, {@code nn.Linear}'s (out, in) weight
 * becomes our (in, out), convolution weights are (F, C, k, k) in both. Our residual block has
 * bias-free convolutions each followed by a batch norm with epsilon 1e-5; an exporter's variants
 * are folded into that form exactly: a convolution's bias into its batch norm's mean (or, where the
 * exporter already folded the batch norm away, into an identity batch norm's shift), another
 * epsilon into the running variance (var + eps is all the norm reads).
 */
public final class CnnImport {
    /** Largest input: 4096 per side, 16M values per image. */
    static final int MAX_SIDE = 4096;
    static final long MAX_INPUT = 16L << 20;

    private CnnImport() {
    }

    public static Sequential toModel(Backend backend, int[] input, List<CnnLayer> layers) throws ImportException {
        if (input.length != 3 || Arrays.stream(input).anyMatch(d -> d <= 0 || d > MAX_SIDE)
                || (long) input[0] * input[1] * input[2] > MAX_INPUT) {
            throw new ImportException("input " + Arrays.toString(input) + ": (channels, height, width), each 1.."
                    + MAX_SIDE + ", at most " + MAX_INPUT + " values");
        }
        if (layers.isEmpty() || !(layers.get(layers.size() - 1) instanceof CnnLayer.Linear)) {
            throw new ImportException("the last layer must be the Linear classifier (the frame job serves its softmax)");
        }
        long budget = 0;
        for (CnnLayer l : layers) {
            ranks(l);
            budget += weights(l);
        }
        CnnBuilder b = CnnBuilder.of(backend, 0L, input[0], input[1], input[2]);
        ParameterStore store = b.sequential().store();
        // the layers may allocate no more than the file's weights (plus the batch norms folded in)
        store.limit(budget);
        for (CnnLayer l : layers) {
            int[] reads = b.shape(); // valid: checked after the layer before
            try {
                add(b, store, l);
                // the builder takes a pool without checking it fits; its output shape does
                b.shape();
            } catch (IllegalArgumentException | IllegalStateException e) {
                throw new ImportException(describe(l) + " does not fit the " + Arrays.toString(reads) + " it reads: "
                        + e.getMessage(), e);
            }
        }
        Sequential model = b.build();
        for (Parameter p : model.parameters()) {
            if (p.value().hasNonFinite()) {
                throw new ImportException("the weights of " + p.name() + " hold NaN or infinity");
            }
        }
        for (var e : store.states().entrySet()) {
            if (e.getValue().hasNonFinite()) {
                throw new ImportException(e.getKey() + " holds NaN or infinity");
            }
        }
        return model;
    }

    private static void add(CnnBuilder b, ParameterStore store, CnnLayer l) throws ImportException {
        String name = b.sequential().nextName();
        int[] shape = b.shape();
        boolean readsMap = !(l instanceof CnnLayer.Relu || l instanceof CnnLayer.Flatten || l instanceof CnnLayer.Linear);
        if (readsMap && shape.length != 3) {
            throw new ImportException(describe(l) + " reads a (channels, height, width) map, not the " + Arrays.toString(shape)
                    + " it is given");
        }
        if (l instanceof CnnLayer.Conv c) {
            conv(c, shape);
            b.conv(c.filters(), c.kernel(), c.stride(), c.pad(), c.bias() != null);
            put(store, name + ".weight", c.weight().values());
            if (c.bias() != null) {
                put(store, name + ".bias", c.bias().values());
            }
        } else if (l instanceof CnnLayer.BatchNorm n) {
            channels(n, shape, n.weight().shape()[0]);
            b.add(new BatchNorm(b.sequential().backend(), store, name, shape[0], n.epsilon(), BatchNorm.DEFAULT_MOMENTUM));
            putNorm(store, name, n.weight().values(), n.bias().values(), n.mean().values(), n.var().values());
        } else if (l instanceof CnnLayer.Relu) {
            b.relu();
        } else if (l instanceof CnnLayer.MaxPool p) {
            b.maxPool(p.window(), p.stride());
        } else if (l instanceof CnnLayer.AvgPool p) {
            b.avgPool(p.window(), p.stride());
        } else if (l instanceof CnnLayer.GlobalAvgPool) {
            b.globalAvgPool();
        } else if (l instanceof CnnLayer.Flatten) {
            b.flatten();
        } else if (l instanceof CnnLayer.Linear d) {
            if (shape.length != 1) {
                throw new ImportException(describe(l) + " reads a " + Arrays.toString(shape) + " map: Flatten it first "
                        + "(a Linear on a map acts on its last axis only)");
            }
            int out = d.weight().shape()[0];
            if (d.weight().shape().length != 2 || d.weight().shape()[1] != shape[0]) {
                throw new ImportException(describe(l) + " weight " + d.weight().shapeString() + " does not read "
                        + shape[0] + " features");
            }
            b.dense(out, Initializer.ZEROS);
            put(store, name + ".weight", Matrices.transpose(d.weight().values(), out, shape[0]));
            put(store, name + ".bias", d.bias() == null ? new float[out] : vector(d, d.bias(), out));
        } else if (l instanceof CnnLayer.Residual r) {
            residual(b, store, name, r, shape);
        }
    }

    private static void residual(CnnBuilder b, ParameterStore store, String name, CnnLayer.Residual r, int[] shape)
            throws ImportException {
        int in = shape[0];
        int out = r.conv1().filters();
        int stride = r.conv1().stride();
        need(r, r.conv1().kernel() == 3 && r.conv1().pad() == 1 && r.conv1().channels() == in,
                "conv1 must be 3x3, padding 1, reading the block's " + in + " channels");
        need(r, r.conv2().kernel() == 3 && r.conv2().pad() == 1 && r.conv2().stride() == 1
                && r.conv2().channels() == out && r.conv2().filters() == out, "conv2 must be 3x3, padding 1, stride 1, "
                + out + " -> " + out);
        boolean projected = in != out || stride != 1;
        need(r, projected == (r.proj() != null), projected ? "changes shape, so it needs a downsample (1x1 conv)"
                : "keeps its shape: a downsample there is not our block's identity shortcut");
        if (r.proj() != null) {
            need(r, r.proj().kernel() == 1 && r.proj().pad() == 0 && r.proj().stride() == stride
                    && r.proj().channels() == in && r.proj().filters() == out, "downsample must be 1x1, stride " + stride
                    + ", " + in + " -> " + out);
        }
        b.add(new ResidualBlock(b.sequential().backend(), store, name, in, out, stride));
        blockConv(store, name + ".conv1", name + ".bn1", r.conv1(), r.bn1());
        blockConv(store, name + ".conv2", name + ".bn2", r.conv2(), r.bn2());
        if (r.proj() != null) {
            blockConv(store, name + ".proj", name + ".proj_bn", r.proj(), r.projBn());
        }
    }

    /** A bias-free convolution and its batch norm (epsilon 1e-5), holding what the import had. */
    private static void blockConv(ParameterStore store, String conv, String bn, CnnLayer.Conv c, CnnLayer.BatchNorm n)
            throws ImportException {
        int f = c.filters();
        put(store, conv + ".weight", c.weight().values());
        float[] bias = c.bias() == null ? new float[f] : vector(c, c.bias(), f);
        float[] gamma = new float[f];
        float[] beta = new float[f];
        float[] mean = new float[f];
        float[] var = new float[f];
        double ours = BatchNorm.DEFAULT_EPSILON;
        for (int i = 0; i < f; i++) {
            if (n == null) {
                // conv + b as an identity norm: gamma 1, beta b, mean 0, var + eps = 1
                gamma[i] = 1f;
                beta[i] = bias[i];
                var[i] = (float) (1.0 - ours);
            } else {
                // bn(conv + b) = gamma (conv - (mean - b)) / sqrt(var + eps) + beta
                channels(n, new int[] {f}, n.weight().shape()[0]);
                gamma[i] = n.weight().values()[i];
                beta[i] = n.bias().values()[i];
                mean[i] = n.mean().values()[i] - bias[i];
                var[i] = (float) (n.var().values()[i] + (double) n.epsilon() - ours);
                if (!(var[i] >= 0f)) {
                    throw new ImportException(n.name() + ": running_var + eps is below our epsilon " + ours);
                }
            }
        }
        putNorm(store, bn, gamma, beta, mean, var);
    }

    private static void conv(CnnLayer.Conv c, int[] shape) throws ImportException {
        int[] w = c.weight().shape();
        if (w.length != 4 || w[2] != w[3]) {
            throw new ImportException(describe(c) + " weight " + c.weight().shapeString() + ": (filters, channels, k, k) "
                    + "with a square kernel is read");
        }
        if (shape.length != 3 || shape[0] != w[1]) {
            throw new ImportException(describe(c) + " reads " + w[1] + " channels, the map is " + Arrays.toString(shape));
        }
        if (c.bias() != null) {
            vector(c, c.bias(), w[0]);
        }
    }

    private static void channels(CnnLayer.BatchNorm n, int[] shape, int c) throws ImportException {
        for (SafeTensors.Tensor t : List.of(n.weight(), n.bias(), n.mean(), n.var())) {
            if (t.shape().length != 1 || t.shape()[0] != c) {
                throw new ImportException(describe(n) + " tensors must each be [" + c + "], one is " + t.shapeString());
            }
        }
        if (shape[0] != c) {
            throw new ImportException(describe(n) + " normalises " + c + " channels, the map has " + shape[0]);
        }
    }

    private static float[] vector(CnnLayer l, SafeTensors.Tensor t, int n) throws ImportException {
        if (t.shape().length != 1 || t.shape()[0] != n) {
            throw new ImportException(describe(l) + " bias " + t.shapeString() + " should be [" + n + "]");
        }
        return t.values();
    }

    private static void need(CnnLayer.Residual r, boolean ok, String why) throws ImportException {
        if (!ok) {
            throw new ImportException("residual block " + r.name() + ": " + why);
        }
    }

    private static void putNorm(ParameterStore store, String name, float[] gamma, float[] beta, float[] mean, float[] var)
            throws ImportException {
        put(store, name + ".gamma", gamma);
        put(store, name + ".beta", beta);
        put(store, name + ".running_mean", mean);
        put(store, name + ".running_var", var);
    }

    private static void put(ParameterStore store, String name, float[] values) throws ImportException {
        Tensor t = store.values().get(name);
        if (t == null || t.size() != values.length) {
            throw new ImportException("internal: " + name + " is " + (t == null ? "missing" : t.shapeString()) + ", not "
                    + values.length + " values");
        }
        System.arraycopy(values, 0, t.data(), t.offset(), values.length);
    }

    /**
     * Each weight's rank (and a bias's or norm's length), checked before anything reads a dimension:
     * a file may hold any shape under a layer's names.
     */
    private static void ranks(CnnLayer l) throws ImportException {
        if (l instanceof CnnLayer.Conv c) {
            int[] w = c.weight().shape();
            if (w.length != 4 || w[2] != w[3]) {
                throw new ImportException(describe(c) + " weight " + c.weight().shapeString() + ": (filters, channels, k, k) "
                        + "with a square kernel is read");
            }
            if (c.bias() != null) {
                vector(c, c.bias(), w[0]);
            }
        } else if (l instanceof CnnLayer.BatchNorm n) {
            if (n.weight().shape().length != 1) {
                throw new ImportException(describe(n) + " weight " + n.weight().shapeString() + " should be [channels]");
            }
            for (SafeTensors.Tensor t : List.of(n.weight(), n.bias(), n.mean(), n.var())) {
                if (t.shape().length != 1 || t.shape()[0] != n.weight().shape()[0]) {
                    throw new ImportException(describe(n) + " tensors must each be " + n.weight().shapeString()
                            + ", one is " + t.shapeString());
                }
            }
        } else if (l instanceof CnnLayer.Linear d) {
            if (d.weight().shape().length != 2) {
                throw new ImportException(describe(d) + " weight " + d.weight().shapeString() + " should be (out, in)");
            }
            if (d.bias() != null) {
                vector(d, d.bias(), d.weight().shape()[0]);
            }
        } else if (l instanceof CnnLayer.Residual r) {
            for (CnnLayer part : new CnnLayer[] {r.conv1(), r.bn1(), r.conv2(), r.bn2(), r.proj(), r.projBn()}) {
                if (part != null) {
                    ranks(part);
                }
            }
        }
    }

    private static long weights(CnnLayer l) {
        if (l instanceof CnnLayer.Conv c) {
            return c.weight().size() + (c.bias() == null ? 0 : c.bias().size());
        } else if (l instanceof CnnLayer.BatchNorm n) {
            return 4L * n.weight().size(); // affine and running statistics
        } else if (l instanceof CnnLayer.Linear d) {
            return d.weight().size() + d.weight().shape()[0];
        } else if (l instanceof CnnLayer.Residual r) {
            return weights(r.conv1()) + weights(r.conv2()) + (r.proj() == null ? 0 : weights(r.proj()))
                    + 4L * (r.proj() == null ? 2 : 3) * r.conv1().filters();
        }
        return 0;
    }

    static String describe(CnnLayer l) {
        if (l instanceof CnnLayer.Conv c) {
            return "Conv2d " + c.name();
        } else if (l instanceof CnnLayer.BatchNorm n) {
            return "BatchNorm2d " + n.name();
        } else if (l instanceof CnnLayer.Linear d) {
            return "Linear " + d.name();
        } else if (l instanceof CnnLayer.Residual r) {
            return "residual block " + r.name();
        }
        return l.getClass().getSimpleName();
    }

    /** A float32 tensor of {@code values}. */
    public static SafeTensors.Tensor tensor(float[] values, int... shape) {
        return new SafeTensors.Tensor(DType.F32, shape, values);
    }
}
