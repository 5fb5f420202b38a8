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
        int plane = rowStride;
        int row = 0;
        for (int ch = 0; ch < g.channels(); ch++) {
            int chOff = io + ch * g.height() * g.width();
            for (int ki = 0; ki < g.kernelH(); ki++) {
                for (int kj = 0; kj < g.kernelW(); kj++, row++) {
                    int dst = co + row * plane;
                    for (int y = 0; y < oh; y++) {
                        int iy = y * g.strideH() - g.padH() + ki;
                        int d = dst + y * ow;
                        if (iy < 0 || iy >= g.height()) {
                            java.util.Arrays.fill(cols, d, d + ow, 0f);
                            continue;
                        }
                        int src = chOff + iy * g.width();
                        for (int x = 0; x < ow; x++) {
                            int ix = x * g.strideW() - g.padW() + kj;
                            cols[d + x] = (ix >= 0 && ix < g.width()) ? img[src + ix] : 0f;
                        }
                    }
                }
            }
        }
    }

    static void col2im(float[] cols, int co, ConvGeometry g, float[] img, int io) {
        col2im(cols, co, g, img, io, g.outH() * g.outW());
    }

    static void col2im(float[] cols, int co, ConvGeometry g, float[] img, int io, int rowStride) {
        int oh = g.outH();
        int ow = g.outW();
        int plane = rowStride;
        int row = 0;
        for (int ch = 0; ch < g.channels(); ch++) {
            int chOff = io + ch * g.height() * g.width();
            for (int ki = 0; ki < g.kernelH(); ki++) {
                for (int kj = 0; kj < g.kernelW(); kj++, row++) {
                    int src = co + row * plane;
                    for (int y = 0; y < oh; y++) {
                        int iy = y * g.strideH() - g.padH() + ki;
                        if (iy < 0 || iy >= g.height()) {
                            continue;
                        }
                        int s = src + y * ow;
                        int dst = chOff + iy * g.width();
                        for (int x = 0; x < ow; x++) {
                            int ix = x * g.strideW() - g.padW() + kj;
                            if (ix >= 0 && ix < g.width()) {
                                img[dst + ix] += cols[s + x];
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
}
