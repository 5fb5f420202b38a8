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
