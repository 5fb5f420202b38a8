package io.streamnet.engine.cpu;

/** Row-wise softmax, log-softmax and the losses built on them, all max-subtracted. */
final class SoftmaxKernels {
    static final float PROB_FLOOR = 1e-12f;

    private SoftmaxKernels() {
    }

    static void softmaxRow(float[] x, int xo, float[] y, int yo, int c) {
        float max = Float.NEGATIVE_INFINITY;
        for (int j = 0; j < c; j++) {
            max = Math.max(max, x[xo + j]);
        }
        double sum = 0;
        for (int j = 0; j < c; j++) {
            float e = (float) Math.exp(x[xo + j] - max);
            y[yo + j] = e;
            sum += e;
        }
        float inv = (float) (1.0 / sum);
        for (int j = 0; j < c; j++) {
            y[yo + j] *= inv;
        }
    }

    /** Returns log(sum(exp(x - max))) + max for the row: the log-partition. */
    static double logSumExp(float[] x, int xo, int c) {
        float max = Float.NEGATIVE_INFINITY;
        for (int j = 0; j < c; j++) {
            max = Math.max(max, x[xo + j]);
        }
        double sum = 0;
        for (int j = 0; j < c; j++) {
            sum += Math.exp(x[xo + j] - max);
        }
        return max + Math.log(sum);
    }

    static void logSoftmaxRow(float[] x, int xo, float[] y, int yo, int c) {
        double lse = logSumExp(x, xo, c);
        for (int j = 0; j < c; j++) {
            y[yo + j] = (float) (x[xo + j] - lse);
        }
    }

    static float softmaxCrossEntropy(float[] x, int xo, int n, int c, int[] labels, float[] g, int go) {
        double loss = 0;
        float invN = 1f / n;
        for (int i = 0; i < n; i++) {
            int label = checkLabel(labels[i], c, i);
            int row = xo + i * c;
            double lse = logSumExp(x, row, c);
            loss += lse - x[row + label];
            if (g != null) {
                int gr = go + i * c;
                for (int j = 0; j < c; j++) {
                    g[gr + j] = (float) Math.exp(x[row + j] - lse) * invN;
                }
                g[gr + label] -= invN;
            }
        }
        return (float) (loss / n);
    }

    static float crossEntropy(float[] p, int po, int n, int c, int[] labels, float[] g, int go) {
        double loss = 0;
        for (int i = 0; i < n; i++) {
            int label = checkLabel(labels[i], c, i);
            float pv = Math.max(p[po + i * c + label], PROB_FLOOR);
            loss -= Math.log(pv);
            if (g != null) {
                int gr = go + i * c;
                java.util.Arrays.fill(g, gr, gr + c, 0f);
                g[gr + label] = -1f / (n * pv);
            }
        }
        return (float) (loss / n);
    }

    private static int checkLabel(int label, int c, int row) {
        if (label < 0 || label >= c) {
            throw new IllegalArgumentException("label " + label + " of row " + row + " is outside [0, " + c + ")");
        }
        return label;
    }
}
