package io.streamnet.engine.nn.train;

import io.streamnet.engine.backend.Backend;
import io.streamnet.engine.nn.layer.Layer;
import io.streamnet.engine.nn.Parameter;
import io.streamnet.engine.nn.loss.SoftmaxCrossEntropyLoss;
import io.streamnet.engine.nn.optim.GradientClipping;
import io.streamnet.engine.nn.optim.Optimizer;
import io.streamnet.engine.tensor.Tensor;
import java.util.List;
import java.util.Random;

/**
 * Mini-batch training of a model whose output is class logits, on examples stored row by row in one
 * float array. Batch buffers are allocated once; each step copies the shuffled rows into them.
 */
public final class ClassifierTrainer {
    private final Backend backend;

    public ClassifierTrainer(Backend backend) {
        this.backend = backend;
    }

    /**
     * Trains on {@code n} examples of {@code features} floats each (x row-major) with labels y.
     * Returns the mean loss of the last epoch.
     */
    public float fit(Layer model, Optimizer optimizer, float[] x, int[] y, int n, int[] exampleShape,
                     TrainingConfig cfg, TrainingListener listener) {
        int features = product(exampleShape);
        checkData(x, y, n, features);
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        Random rng = new Random(cfg.seed());
        SoftmaxCrossEntropyLoss loss = new SoftmaxCrossEntropyLoss(backend);
        List<Parameter> params = model.parameters();
        int batches = (n + cfg.batchSize() - 1) / cfg.batchSize();
        Tensor full = Tensor.zeros(batchShape(cfg.batchSize(), exampleShape));
        int[] labels = new int[cfg.batchSize()];
        int[] tailLabels = new int[n % cfg.batchSize() == 0 ? cfg.batchSize() : n % cfg.batchSize()];
        float lastMean = Float.NaN;
        for (int epoch = 0; epoch < cfg.epochs(); epoch++) {
            shuffle(order, rng);
            double epochLoss = 0;
            for (int b = 0; b < batches; b++) {
                int from = b * cfg.batchSize();
                int size = Math.min(cfg.batchSize(), n - from);
                Tensor batch = size == cfg.batchSize() ? full : full.slice(0, size);
                int[] lab = size == cfg.batchSize() ? labels : tailLabels;
                for (int i = 0; i < size; i++) {
                    int src = order[from + i];
                    System.arraycopy(x, src * features, batch.data(), batch.offset() + i * features, features);
                    lab[i] = y[src];
                }
                for (Parameter p : params) {
                    p.zeroGrad();
                }
                Tensor logits = model.forward(batch, true);
                float l = loss.forward(logits, lab);
                model.backward(loss.gradient());
                if (cfg.clipNorm() > 0f) {
                    GradientClipping.clipByGlobalNorm(backend, params, cfg.clipNorm());
                }
                optimizer.step(params);
                epochLoss += (double) l * size;
                listener.batchDone(epoch, b, batches, l, size);
            }
            lastMean = (float) (epochLoss / n);
            listener.epochDone(epoch, lastMean);
        }
        return lastMean;
    }

    /** Fraction of the {@code n} examples whose arg-max logit equals the label. */
    public double accuracy(Layer model, float[] x, int[] y, int n, int[] exampleShape, int batchSize) {
        int features = product(exampleShape);
        checkData(x, y, n, features);
        int[] predicted = new int[batchSize];
        int correct = 0;
        for (int from = 0; from < n; from += batchSize) {
            int size = Math.min(batchSize, n - from);
            Tensor batch = Tensor.view(x, from * features, batchShape(size, exampleShape));
            Tensor logits = model.infer(batch);
            backend.argmaxRows(logits, predicted);
            for (int i = 0; i < size; i++) {
                if (predicted[i] == y[from + i]) {
                    correct++;
                }
            }
        }
        return n == 0 ? 0 : (double) correct / n;
    }

    private static void checkData(float[] x, int[] y, int n, int features) {
        if (n < 0 || (long) n * features > x.length || n > y.length) {
            throw new IllegalArgumentException(n + " examples of " + features + " features need "
                    + (long) n * features + " floats and " + n + " labels; got " + x.length + " and " + y.length);
        }
    }

    private static int[] batchShape(int batch, int[] exampleShape) {
        int[] s = new int[exampleShape.length + 1];
        s[0] = batch;
        System.arraycopy(exampleShape, 0, s, 1, exampleShape.length);
        return s;
    }

    private static int product(int[] shape) {
        int p = 1;
        for (int d : shape) {
            p *= d;
        }
        return p;
    }

    private static void shuffle(int[] a, Random rng) {
        for (int i = a.length - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            int t = a[i];
            a[i] = a[j];
            a[j] = t;
        }
    }
}
