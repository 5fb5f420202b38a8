package io.streamnet.cnn;

/**
 * Float64 reference implementations of the CNN forward passes, written the direct way (no im2col), for
 * finite differences without float32 noise: a central difference with a step of 1e-6 in double is
 * accurate to many digits and never straddles a ReLU kink in practice.
 */
public final class Reference64 {
    private Reference64() {
    }

    /** x (N,C,H,W) with weights (F,C,k,k) and optional bias (F): y (N,F,H',W'). */
    public static double[] conv(double[] x, int n, int c, int h, int w, double[] wt, double[] bias, int f, int k,
                                int s, int p) {
        int oh = (h + 2 * p - k) / s + 1;
        int ow = (w + 2 * p - k) / s + 1;
        double[] y = new double[n * f * oh * ow];
        for (int i = 0; i < n; i++) {
            for (int o = 0; o < f; o++) {
                for (int yy = 0; yy < oh; yy++) {
                    for (int xx = 0; xx < ow; xx++) {
                        double acc = bias == null ? 0 : bias[o];
                        for (int ch = 0; ch < c; ch++) {
                            for (int ki = 0; ki < k; ki++) {
                                int iy = yy * s - p + ki;
                                if (iy < 0 || iy >= h) {
                                    continue;
                                }
                                for (int kj = 0; kj < k; kj++) {
                                    int ix = xx * s - p + kj;
                                    if (ix < 0 || ix >= w) {
                                        continue;
                                    }
                                    acc += x[((i * c + ch) * h + iy) * w + ix] * wt[((o * c + ch) * k + ki) * k + kj];
                                }
                            }
                        }
                        y[((i * f + o) * oh + yy) * ow + xx] = acc;
                    }
                }
            }
        }
        return y;
    }

    /** Batch norm with batch statistics (training mode) over (N,C,S). */
    public static double[] batchNormTrain(double[] x, int n, int c, int spatial, double[] gamma, double[] beta,
                                          double eps) {
        double[] y = new double[x.length];
        long m = (long) n * spatial;
        for (int ch = 0; ch < c; ch++) {
            double mu = 0;
            for (int i = 0; i < n; i++) {
                for (int k = 0; k < spatial; k++) {
                    mu += x[(i * c + ch) * spatial + k];
                }
            }
            mu /= m;
            double var = 0;
            for (int i = 0; i < n; i++) {
                for (int k = 0; k < spatial; k++) {
                    double d = x[(i * c + ch) * spatial + k] - mu;
                    var += d * d;
                }
            }
            var /= m;
            double inv = 1.0 / Math.sqrt(var + eps);
            for (int i = 0; i < n; i++) {
                for (int k = 0; k < spatial; k++) {
                    int idx = (i * c + ch) * spatial + k;
                    y[idx] = gamma[ch] * (x[idx] - mu) * inv + beta[ch];
                }
            }
        }
        return y;
    }

    public static double[] relu(double[] x) {
        double[] y = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            y[i] = Math.max(0, x[i]);
        }
        return y;
    }

    public static double[] add(double[] a, double[] b) {
        double[] y = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            y[i] = a[i] + b[i];
        }
        return y;
    }

    public static double[] toDouble(io.streamnet.engine.tensor.Tensor t) {
        double[] d = new double[t.size()];
        for (int i = 0; i < d.length; i++) {
            d[i] = t.at(i);
        }
        return d;
    }

    public static double dot(double[] a, io.streamnet.engine.tensor.Tensor w) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += a[i] * w.at(i);
        }
        return s;
    }
}
