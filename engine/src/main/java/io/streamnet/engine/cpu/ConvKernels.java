package io.streamnet.engine.cpu;

import io.streamnet.engine.backend.ConvGeometry;

/**
 * im2col and its adjoint col2im for one image, (C,H,W) <-> (C*kH*kW, outH*outW). The strided forms
 * write the patch rows with a row stride, so that a batch of images lands side by side in one
 * (C*kH*kW, N*outH*outW) matrix: image n owns the columns [n*P, (n+1)*P).
 */
final class ConvKernels {
    private ConvKernels() {
    }

    static void im2col(float[] img, int io, ConvGeometry g, float[] cols, int co) {
        im2col(img, io, g, cols, co, g.outH() * g.outW());
    }

    static void im2col(float[] img, int io, ConvGeometry g, float[] cols, int co, int rowStride) {
        int oh = g.outH();
        int ow = g.outW();
        int w = g.width();
        int sx = g.strideW();
        int plane = rowStride;
        int row = 0;
        for (int ch = 0; ch < g.channels(); ch++) {
            int chOff = io + ch * g.height() * w;
            for (int ki = 0; ki < g.kernelH(); ki++) {
                for (int kj = 0; kj < g.kernelW(); kj++, row++) {
                    int dst = co + row * plane;
                    // Output columns [x0, x1) read inside the image row; the rest is zero padding.
                    int shift = kj - g.padW();
                    int x0 = firstInside(shift, sx, ow);
                    int x1 = endInside(shift, sx, w, ow, x0);
                    for (int y = 0; y < oh; y++) {
                        int iy = y * g.strideH() - g.padH() + ki;
                        int d = dst + y * ow;
                        if (iy < 0 || iy >= g.height()) {
                            java.util.Arrays.fill(cols, d, d + ow, 0f);
                            continue;
                        }
                        int src = chOff + iy * w + shift;
                        // The padded edges are a few columns: a plain loop (Arrays.fill's call costs more here).
                        for (int x = 0; x < x0; x++) {
                            cols[d + x] = 0f;
                        }
                        if (sx == 1) {
                            System.arraycopy(img, src + x0, cols, d + x0, x1 - x0);
                        } else {
                            for (int x = x0; x < x1; x++) {
                                cols[d + x] = img[src + x * sx];
                            }
                        }
                        for (int x = x1; x < ow; x++) {
                            cols[d + x] = 0f;
                        }
                    }
                }
            }
        }
    }

    /** The first output column x whose input column x * stride + shift is >= 0 (at most ow). */
    private static int firstInside(int shift, int stride, int ow) {
        int x0 = shift >= 0 ? 0 : (-shift + stride - 1) / stride;
        return Math.min(x0, ow);
    }

    /** One past the last output column whose input column x * stride + shift is < width (at least x0). */
    private static int endInside(int shift, int stride, int width, int ow, int x0) {
        int last = width - 1 - shift;
        int x1 = last < 0 ? 0 : last / stride + 1;
        return Math.max(x0, Math.min(x1, ow));
    }

    static void col2im(float[] cols, int co, ConvGeometry g, float[] img, int io) {
        col2im(cols, co, g, img, io, g.outH() * g.outW());
    }

    static void col2im(float[] cols, int co, ConvGeometry g, float[] img, int io, int rowStride) {
        int oh = g.outH();
        int ow = g.outW();
        int w = g.width();
        int sx = g.strideW();
        int plane = rowStride;
        int row = 0;
        for (int ch = 0; ch < g.channels(); ch++) {
            int chOff = io + ch * g.height() * w;
            for (int ki = 0; ki < g.kernelH(); ki++) {
                for (int kj = 0; kj < g.kernelW(); kj++, row++) {
                    int src = co + row * plane;
                    int shift = kj - g.padW();
                    int x0 = firstInside(shift, sx, ow);
                    int x1 = endInside(shift, sx, w, ow, x0);
                    for (int y = 0; y < oh; y++) {
                        int iy = y * g.strideH() - g.padH() + ki;
                        if (iy < 0 || iy >= g.height()) {
                            continue;
                        }
                        int s = src + y * ow;
                        int dst = chOff + iy * w + shift;
                        if (sx == 1) {
                            for (int x = x0; x < x1; x++) {
                                img[dst + x] += cols[s + x];
                            }
                        } else {
                            for (int x = x0; x < x1; x++) {
                                img[dst + x * sx] += cols[s + x];
                            }
                        }
                    }
                }
            }
        }
    }

    /** in (A,B,S) -> out (B,A,S): moves blocks of S contiguous floats. */
    static void swapLeadingAxes(float[] in, int io, int a, int b, int s, float[] out, int oo) {
        for (int i = 0; i < a; i++) {
            for (int j = 0; j < b; j++) {
                System.arraycopy(in, io + (i * b + j) * s, out, oo + (j * a + i) * s, s);
            }
        }
    }

    /**
     * x (F,N,S) -> out (N,F,S) with shift[f] added, residual (N,F,S) added and ReLU applied on the
     * way, each optional (null, or relu false): one pass instead of four.
     */
    static void convOutput(float[] x, int xo, int f, int n, int s, float[] shift, int so, float[] res, int ro,
                           boolean relu, float[] out, int oo) {
        for (int c = 0; c < f; c++) {
            float b = shift == null ? 0f : shift[so + c];
            for (int i = 0; i < n; i++) {
                int src = xo + (c * n + i) * s;
                int dst = (i * f + c) * s;
                if (res == null) {
                    if (relu) {
                        for (int k = 0; k < s; k++) {
                            out[oo + dst + k] = Math.max(x[src + k] + b, 0f);
                        }
                    } else {
                        for (int k = 0; k < s; k++) {
                            out[oo + dst + k] = x[src + k] + b;
                        }
                    }
                } else if (relu) {
                    for (int k = 0; k < s; k++) {
                        out[oo + dst + k] = Math.max(x[src + k] + b + res[ro + dst + k], 0f);
                    }
                } else {
                    for (int k = 0; k < s; k++) {
                        out[oo + dst + k] = x[src + k] + b + res[ro + dst + k];
                    }
                }
            }
        }
    }
}
