package io.streamnet.engine.cpu;

import io.streamnet.engine.backend.ConvGeometry;
import java.util.Arrays;

/**
 * Convolution as an implicit gemm: no im2col matrix. Each image is copied once into a zero-bordered
 * buffer; at stride 1 that is the padded image (C, Hp, Wp), and row (c, ki, kj) of the im2col matrix
 * is the buffer read from offset {@code c*plane + ki*Wp + kj}, so the micro-kernel reads B through a
 * table of row offsets ({@link MicroKernel#runGather}). At stride s the padded image is split into
 * its s*s phases (rows and columns by their remainder mod s), each (C, ceil(Hp/s), ceil(Wp/s)):
 * input (s*y + ki, s*x + kj) is phase (ki mod s, kj mod s) at (y + ki/s, x + kj/s), so the same
 * unit-stride reading works. The product comes out "wide", one row of Wq columns per output row
 * (the last few straddle the border and are dropped), and the output pass moves the valid columns
 * to (F, H', W') with the shift, residual and ReLU applied.
 *
 * <p>One instance per thread (it owns its buffers, grown when a larger geometry comes and reused
 * after); it packs A with that thread's {@link PackedGemm}.
 */
final class ImplicitConv {
    private final PackedGemm gemm;
    private final MicroKernel kernel;
    private final int mr;
    private final int nr;
    private final float[] tile;
    private float[] padded = new float[0];
    private float[] wide = new float[0];
    private int[] rowOffsets = new int[0];
    /** The backward pass's image-shaped gradient buffer and its (K, cols) column gradient. */
    private float[] gradPadded = new float[0];
    private float[] columns = new float[0];
    /** The weights packed once per call for all its images: each (KC, MC) block's panels in turn. */
    private float[] packedW = new float[0];
    private ConvGeometry paddedFor;
    /** The layout of paddedFor: a phase plane, its row length, the wide product's columns (valid, rounded to NR). */
    private int plane;
    private int wq;
    private int cols;
    private int colsRounded;

    ImplicitConv(PackedGemm gemm) {
        this.gemm = gemm;
        this.kernel = gemm.kernel();
        this.mr = kernel.mr();
        this.nr = kernel.nr();
        this.tile = new float[mr * nr];
    }

    static boolean supports(ConvGeometry g) {
        return g.strideH() == g.strideW();
    }

    /**
     * out (N,F,H',W') = act(W (F, C*kH*kW) * patches(x (N,C,H,W)) + shift[f] + res (N,F,H',W')), act
     * ReLU or none; shift and res may be null.
     */
    void convolve(float[] x, int xo, int n, ConvGeometry g, float[] w, int wo, int f,
                  float[] shift, int so, float[] res, int ro, boolean relu, float[] out, int oo) {
        prepare(g, f);
        int c = g.channels();
        int h = g.height();
        int wd = g.width();
        int st = g.strideH();
        int plane = this.plane;
        int wq = this.wq;
        int oh = g.outH();
        int ow = g.outW();
        int cols = this.cols;
        int colsRounded = this.colsRounded;
        int k = g.patchSize();
        int image = c * h * wd;
        int outImage = f * oh * ow;
        packWeights(f, k, w, wo);
        for (int i = 0; i < n; i++) {
            copyIn(x, xo + i * image, g, st, plane, wq);
            Arrays.fill(wide, 0, f * colsRounded, 0f);
            product(f, colsRounded, k);
            epilogue(f, oh, ow, wq, colsRounded, shift, so, res, ro + i * outImage, relu, out, oo + i * outImage);
        }
    }

    /**
     * The backward of {@link #convolve} (no shift, residual or activation): dw (F, K) += dL/dW and
     * dx (N,C,H,W) = dL/dx from gy (N,F,H',W'). Per image: the gradient laid out wide (zeros in the
     * dropped columns), dW += wide * patches^T with the patch rows read in place, D = W^T wide
     * (K, cols), D's rows added into a zeroed image buffer at the same row offsets (the adjoint of
     * reading them), and the buffer's interior is dx.
     */
    void backward(float[] x, int xo, int n, ConvGeometry g, float[] w, int wo, int f, float[] gy, int gyo,
                  float[] dw, int dwo, float[] dx, int dxo) {
        prepare(g, f);
        int c = g.channels();
        int h = g.height();
        int wd = g.width();
        int st = g.strideH();
        int plane = this.plane;
        int wq = this.wq;
        int oh = g.outH();
        int ow = g.outW();
        int cols = this.cols;
        int colsRounded = this.colsRounded;
        int k = g.patchSize();
        int paddedSize = st * st * c * plane + colsRounded - cols;
        if (gradPadded.length < paddedSize) {
            gradPadded = new float[paddedSize];
        }
        if (columns.length < k * colsRounded) {
            columns = new float[k * colsRounded];
        }
        int image = c * h * wd;
        int outImage = f * oh * ow;
        for (int i = 0; i < n; i++) {
            copyIn(x, xo + i * image, g, st, plane, wq);
            Arrays.fill(wide, 0, f * colsRounded, 0f);
            for (int ch = 0; ch < f; ch++) {
                for (int y = 0; y < oh; y++) {
                    System.arraycopy(gy, gyo + i * outImage + (ch * oh + y) * ow, wide, ch * colsRounded + y * wq, ow);
                }
            }
            gemm.gemmGatheredBT(f, k, colsRounded, wide, 0, colsRounded, padded, rowOffsets, dw, dwo, k);
            gemm.gemm(true, false, k, colsRounded, f, 1f, w, wo, k, wide, 0, colsRounded, 0f, columns, 0, colsRounded);
            Arrays.fill(gradPadded, 0, paddedSize, 0f);
            for (int p = 0; p < k; p++) {
                int dst = rowOffsets[p];
                int src = p * colsRounded;
                for (int j = 0; j < colsRounded; j++) {
                    gradPadded[dst + j] += columns[src + j];
                }
            }
            copyOut(dx, dxo + i * image, g, st, plane, wq);
        }
    }

    /** The interior of the gradient's (phase) buffer into dx: the inverse of {@link #copyIn}. */
    private void copyOut(float[] dx, int dxo, ConvGeometry g, int st, int plane, int wq) {
        int c = g.channels();
        int h = g.height();
        int wd = g.width();
        for (int ch = 0; ch < c; ch++) {
            for (int y = 0; y < h; y++) {
                int dst = dxo + (ch * h + y) * wd;
                int py = y + g.padH();
                if (st == 1) {
                    System.arraycopy(gradPadded, ch * plane + py * wq + g.padW(), dx, dst, wd);
                    continue;
                }
                int rowBase = (py % st) * st * c * plane + py / st * wq;
                for (int xx = 0; xx < wd; xx++) {
                    int px = xx + g.padW();
                    dx[dst + xx] = gradPadded[rowBase + ((px % st) * c + ch) * plane + px / st];
                }
            }
        }
    }

    /** The image into the interior of the (phase) buffer; the border stays zero. */
    private void copyIn(float[] x, int xo, ConvGeometry g, int st, int plane, int wq) {
        int c = g.channels();
        int h = g.height();
        int wd = g.width();
        for (int ch = 0; ch < c; ch++) {
            for (int y = 0; y < h; y++) {
                int src = xo + (ch * h + y) * wd;
                int py = y + g.padH();
                if (st == 1) {
                    System.arraycopy(x, src, padded, ch * plane + py * wq + g.padW(), wd);
                    continue;
                }
                int rowBase = (py % st) * st * c * plane + py / st * wq;
                for (int xx = 0; xx < wd; xx++) {
                    int px = xx + g.padW();
                    padded[rowBase + ((px % st) * c + ch) * plane + px / st] = x[src + xx];
                }
            }
        }
    }

    /** Packs W (F, K) block by block, in product's order, into packedW. */
    private void packWeights(int f, int k, float[] w, int wo) {
        int fRounded = (f + mr - 1) / mr * mr + (PackedGemm.MC + mr - 1) / mr * mr; // room for a last partial MC block
        if (packedW.length < (long) fRounded * k) {
            packedW = new float[fRounded * k];
        }
        int at = 0;
        for (int pc = 0; pc < k; pc += PackedGemm.KC) {
            int kc = Math.min(PackedGemm.KC, k - pc);
            for (int ic = 0; ic < f; ic += PackedGemm.MC) {
                int mc = Math.min(PackedGemm.MC, f - ic);
                gemm.packA(false, w, wo, k, ic, mc, pc, kc);
                int size = (mc + mr - 1) / mr * mr * kc;
                System.arraycopy(gemm.packedA(), 0, packedW, at, size);
                at += size;
            }
        }
    }

    /** wide (F, colsRounded) += W * implicit patches, in KC blocks of the patch rows. */
    private void product(int f, int colsRounded, int k) {
        float[] packA = packedW;
        int at = 0;
        for (int pc = 0; pc < k; pc += PackedGemm.KC) {
            int kc = Math.min(PackedGemm.KC, k - pc);
            for (int ic = 0; ic < f; ic += PackedGemm.MC) {
                int mc = Math.min(PackedGemm.MC, f - ic);
                int block = at;
                at += (mc + mr - 1) / mr * mr * kc;
                for (int jr = 0; jr < colsRounded; jr += nr) {
                    for (int ir = 0; ir < mc; ir += mr) {
                        int rows = Math.min(mr, mc - ir);
                        int apOff = block + (ir / mr) * kc * mr;
                        int ci = (ic + ir) * colsRounded + jr;
                        if (rows == mr) {
                            kernel.runGather(kc, packA, apOff, padded, jr, rowOffsets, pc, 1f, wide, ci, colsRounded);
                        } else {
                            Arrays.fill(tile, 0f);
                            kernel.runGather(kc, packA, apOff, padded, jr, rowOffsets, pc, 1f, tile, 0, nr);
                            for (int r = 0; r < rows; r++) {
                                for (int j = 0; j < nr; j++) {
                                    wide[ci + r * colsRounded + j] += tile[r * nr + j];
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    private void epilogue(int f, int oh, int ow, int wp, int ldw, float[] shift, int so, float[] res, int ro,
                          boolean relu, float[] out, int oo) {
        for (int ch = 0; ch < f; ch++) {
            float b = shift == null ? 0f : shift[so + ch];
            for (int y = 0; y < oh; y++) {
                int src = ch * ldw + y * wp;
                int dst = (ch * oh + y) * ow;
                // Four loops, not one with tests inside: C2 vectorises these.
                if (res == null && relu) {
                    for (int xx = 0; xx < ow; xx++) {
                        out[oo + dst + xx] = Math.max(wide[src + xx] + b, 0f);
                    }
                } else if (res == null) {
                    for (int xx = 0; xx < ow; xx++) {
                        out[oo + dst + xx] = wide[src + xx] + b;
                    }
                } else if (relu) {
                    for (int xx = 0; xx < ow; xx++) {
                        out[oo + dst + xx] = Math.max(wide[src + xx] + b + res[ro + dst + xx], 0f);
                    }
                } else {
                    for (int xx = 0; xx < ow; xx++) {
                        out[oo + dst + xx] = wide[src + xx] + b + res[ro + dst + xx];
                    }
                }
            }
        }
    }

    /** Lays out the geometry and sizes the buffers; the border (and the slack after it) is zeroed when the geometry changes. */
    private void prepare(ConvGeometry g, int f) {
        int st = g.strideH();
        int c = g.channels();
        int k = g.patchSize();
        if (!g.equals(paddedFor)) {
            int hq = (g.height() + 2 * g.padH() + st - 1) / st;
            wq = (g.width() + 2 * g.padW() + st - 1) / st;
            plane = hq * wq;
            cols = (g.outH() - 1) * wq + g.outW();
            colsRounded = (cols + nr - 1) / nr * nr;
            int paddedSize = st * st * c * plane + colsRounded - cols;
            if (padded.length < paddedSize) {
                padded = new float[paddedSize];
            }
            Arrays.fill(padded, 0f);
            paddedFor = g;
            if (rowOffsets.length < k) {
                rowOffsets = new int[k];
            }
            int p = 0;
            for (int ch = 0; ch < c; ch++) {
                for (int ki = 0; ki < g.kernelH(); ki++) {
                    for (int kj = 0; kj < g.kernelW(); kj++) {
                        int phase = (ki % st) * st + kj % st;
                        rowOffsets[p++] = (phase * c + ch) * plane + ki / st * wq + kj / st;
                    }
                }
            }
        }
        if (wide.length < f * colsRounded) {
            wide = new float[f * colsRounded];
        }
    }
}
