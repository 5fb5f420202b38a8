package io.streamnet.engine.cpu;

/**
 * Fused element-wise math of the LSTM and GRU cells on flat (B, G*H) arrays: one pass per step over
 * the gate block instead of one backend call per gate.
 */
final class RecurrentKernels {
    private RecurrentKernels() {
    }

    static void lstmForward(float[] g, int go, float[] cp, int cpo, float[] co, int coo, float[] ho, int hoo,
                            float[] tc, int tco, int b, int h) {
        ActivationMath math = ActivationMath.get();
        for (int r = 0; r < b; r++) {
            int gr = go + r * 4 * h;
            int sr = r * h;
            // Gates in place, a whole block at a time: sigmoid(i, f), tanh(g), sigmoid(o).
            math.sigmoid(g, gr, g, gr, 2 * h);
            math.tanh(g, gr + 2 * h, g, gr + 2 * h, h);
            math.sigmoid(g, gr + 3 * h, g, gr + 3 * h, h);
            for (int j = 0; j < h; j++) {
                co[coo + sr + j] = g[gr + h + j] * cp[cpo + sr + j] + g[gr + j] * g[gr + 2 * h + j];
            }
            // h' = o * tanh(c'): tanh(c') goes through hOut (and tanhC, which backward needs).
            math.tanh(co, coo + sr, ho, hoo + sr, h);
            if (tc != null) {
                System.arraycopy(ho, hoo + sr, tc, tco + sr, h);
            }
            for (int j = 0; j < h; j++) {
                ho[hoo + sr + j] *= g[gr + 3 * h + j];
            }
        }
    }

    static void lstmBackward(float[] a, int ao, float[] cp, int cpo, float[] tc, int tco, float[] dh, int dho,
                             float[] dc, int dco, float[] dg, int dgo, int b, int h) {
        for (int r = 0; r < b; r++) {
            int ar = ao + r * 4 * h;
            int gr = dgo + r * 4 * h;
            int sr = r * h;
            for (int j = 0; j < h; j++) {
                float i = a[ar + j];
                float f = a[ar + h + j];
                float gg = a[ar + 2 * h + j];
                float o = a[ar + 3 * h + j];
                float t = tc[tco + sr + j];
                float dhv = dh[dho + sr + j];
                float dct = dc[dco + sr + j] + dhv * o * (1f - t * t);
                dg[gr + j] = dct * gg * i * (1f - i);
                dg[gr + h + j] = dct * cp[cpo + sr + j] * f * (1f - f);
                dg[gr + 2 * h + j] = dct * i * (1f - gg * gg);
                dg[gr + 3 * h + j] = dhv * t * o * (1f - o);
                dc[dco + sr + j] = dct * f;
            }
        }
    }

    static void gruForward(float[] gx, int gxo, float[] gh, int gho, float[] hp, int hpo, float[] ho, int hoo,
                           int b, int h) {
        ActivationMath math = ActivationMath.get();
        for (int row = 0; row < b; row++) {
            int xr = gxo + row * 3 * h;
            int hr = gho + row * 3 * h;
            int sr = row * h;
            // r and z: sigmoid of the two sums, in place in gx.
            for (int j = 0; j < 2 * h; j++) {
                gx[xr + j] += gh[hr + j];
            }
            math.sigmoid(gx, xr, gx, xr, 2 * h);
            // n = tanh(gx_n + r * gh_n), in place.
            for (int j = 0; j < h; j++) {
                gx[xr + 2 * h + j] += gx[xr + j] * gh[hr + 2 * h + j];
            }
            math.tanh(gx, xr + 2 * h, gx, xr + 2 * h, h);
            for (int j = 0; j < h; j++) {
                float z = gx[xr + h + j];
                ho[hoo + sr + j] = (1f - z) * gx[xr + 2 * h + j] + z * hp[hpo + sr + j];
            }
        }
    }

    static void gruBackward(float[] a, int ao, float[] gh, int gho, float[] hp, int hpo, float[] dh, int dho,
                            float[] dgx, int dgxo, float[] dgh, int dgho, float[] dd, int ddo, int b, int h) {
        for (int row = 0; row < b; row++) {
            int ar = ao + row * 3 * h;
            int hr = gho + row * 3 * h;
            int xr = dgxo + row * 3 * h;
            int yr = dgho + row * 3 * h;
            int sr = row * h;
            for (int j = 0; j < h; j++) {
                float r = a[ar + j];
                float z = a[ar + h + j];
                float n = a[ar + 2 * h + j];
                float d = dh[dho + sr + j];
                float dan = d * (1f - z) * (1f - n * n);
                float daz = d * (hp[hpo + sr + j] - n) * z * (1f - z);
                float dar = dan * gh[hr + 2 * h + j] * r * (1f - r);
                dgx[xr + j] = dar;
                dgx[xr + h + j] = daz;
                dgx[xr + 2 * h + j] = dan;
                dgh[yr + j] = dar;
                dgh[yr + h + j] = daz;
                dgh[yr + 2 * h + j] = dan * r;
                dd[ddo + sr + j] = d * z;
            }
        }
    }
}
