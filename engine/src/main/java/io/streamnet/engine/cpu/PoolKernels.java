package io.streamnet.engine.cpu;

import io.streamnet.engine.backend.PoolGeometry;

/** Max and average pooling over (planes, H, W), where planes = N*C. */
final class PoolKernels {
    private PoolKernels() {
    }

    static void maxPool(float[] in, int io, int planes, int h, int w, PoolGeometry g,
                        float[] out, int oo, int[] argmax) {
        int oh = g.outH(h);
        int ow = g.outW(w);
        if (argmax == null && g.windowH() == 2 && g.windowW() == 2 && g.strideH() == 2 && g.strideW() == 2) {
            maxValues2x2(in, io, planes, h, w, oh, ow, out, oo);
            return;
        }
        if (g.windowH() == 2 && g.windowW() == 2 && g.strideH() == 2 && g.strideW() == 2) {
            maxPool2x2(in, io, planes, h, w, oh, ow, out, oo, argmax);
            return;
        }
        int o = 0;
        for (int pl = 0; pl < planes; pl++) {
            int base = pl * h * w;
            for (int y = 0; y < oh; y++) {
                for (int x = 0; x < ow; x++, o++) {
                    int best = base + (y * g.strideH()) * w + x * g.strideW();
                    float bestV = in[io + best];
                    for (int wy = 0; wy < g.windowH(); wy++) {
                        int r = base + (y * g.strideH() + wy) * w + x * g.strideW();
                        for (int wx = 0; wx < g.windowW(); wx++) {
                            float v = in[io + r + wx];
                            if (v > bestV) {
                                bestV = v;
                                best = r + wx;
                            }
                        }
                    }
                    out[oo + o] = bestV;
                    if (argmax != null) {
                        argmax[o] = best;
                    }
                }
            }
        }
    }

    /** Inference's 2x2 / stride 2 pooling: the maxima only, no positions recorded. */
    private static void maxValues2x2(float[] in, int io, int planes, int h, int w, int oh, int ow, float[] out, int oo) {
        int o = oo;
        for (int pl = 0; pl < planes; pl++) {
            int base = io + pl * h * w;
            for (int y = 0; y < oh; y++) {
                int r0 = base + 2 * y * w;
                int r1 = r0 + w;
                for (int x = 0; x < ow; x++, o++) {
                    out[o] = Math.max(Math.max(in[r0 + 2 * x], in[r0 + 2 * x + 1]), Math.max(in[r1 + 2 * x], in[r1 + 2 * x + 1]));
                }
            }
        }
    }

    /** The common 2x2 window, stride 2: the same answer (first maximum in row-major order wins) without the window loops. */
    private static void maxPool2x2(float[] in, int io, int planes, int h, int w, int oh, int ow,
                                   float[] out, int oo, int[] argmax) {
        int o = 0;
        for (int pl = 0; pl < planes; pl++) {
            int base = pl * h * w;
            for (int y = 0; y < oh; y++) {
                int r0 = base + 2 * y * w;
                int r1 = r0 + w;
                for (int x = 0; x < ow; x++, o++) {
                    int i0 = r0 + 2 * x;
                    int i1 = r1 + 2 * x;
                    // Selects rather than branches (C2 emits conditional moves): maxima of noisy maps mispredict.
                    float a = in[io + i0];
                    float b = in[io + i0 + 1];
                    float c = in[io + i1];
                    float d = in[io + i1 + 1];
                    boolean bWins = b > a;
                    float top = bWins ? b : a;
                    int topAt = bWins ? i0 + 1 : i0;
                    boolean dWins = d > c;
                    float bottom = dWins ? d : c;
                    int bottomAt = dWins ? i1 + 1 : i1;
                    boolean lower = bottom > top;
                    float bestV = lower ? bottom : top;
                    int best = lower ? bottomAt : topAt;
                    out[oo + o] = bestV;
                    argmax[o] = best;
                }
            }
        }
    }

    static void maxPoolBackward(float[] gOut, int go, int n, int[] argmax, float[] gIn, int gio) {
        for (int o = 0; o < n; o++) {
            gIn[gio + argmax[o]] += gOut[go + o];
        }
    }

    static void avgPool(float[] in, int io, int planes, int h, int w, PoolGeometry g, float[] out, int oo) {
        int oh = g.outH(h);
        int ow = g.outW(w);
        float inv = 1f / (g.windowH() * g.windowW());
        int o = 0;
        for (int pl = 0; pl < planes; pl++) {
            int base = io + pl * h * w;
            for (int y = 0; y < oh; y++) {
                for (int x = 0; x < ow; x++, o++) {
                    float s = 0f;
                    for (int wy = 0; wy < g.windowH(); wy++) {
                        int r = base + (y * g.strideH() + wy) * w + x * g.strideW();
                        for (int wx = 0; wx < g.windowW(); wx++) {
                            s += in[r + wx];
                        }
                    }
                    out[oo + o] = s * inv;
                }
            }
        }
    }

    static void avgPoolBackward(float[] gOut, int go, int planes, int h, int w, PoolGeometry g, float[] gIn, int gio) {
        int oh = g.outH(h);
        int ow = g.outW(w);
        float inv = 1f / (g.windowH() * g.windowW());
        int o = 0;
        for (int pl = 0; pl < planes; pl++) {
            int base = gio + pl * h * w;
            for (int y = 0; y < oh; y++) {
                for (int x = 0; x < ow; x++, o++) {
                    float v = gOut[go + o] * inv;
                    for (int wy = 0; wy < g.windowH(); wy++) {
                        int r = base + (y * g.strideH() + wy) * w + x * g.strideW();
                        for (int wx = 0; wx < g.windowW(); wx++) {
                            gIn[r + wx] += v;
                        }
                    }
                }
            }
        }
    }
}
