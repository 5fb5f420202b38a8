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
        for (int r = 0; r < b; r++) {
            int gr = go + r * 4 * h;
            int sr = r * h;
            for (int j = 0; j < h; j++) {
                float i = Elementwise.sigmoid(g[gr + j]);
                float f = Elementwise.sigmoid(g[gr + h + j]);
                float gg = (float) Math.tanh(g[gr + 2 * h + j]);
                float o = Elementwise.sigmoid(g[gr + 3 * h + j]);
                g[gr + j] = i;
                g[gr + h + j] = f;
                g[gr + 2 * h + j] = gg;
                g[gr + 3 * h + j] = o;
                float c = f * cp[cpo + sr + j] + i * gg;
                float t = (float) Math.tanh(c);
                co[coo + sr + j] = c;
                ho[hoo + sr + j] = o * t;
                if (tc != null) {
                    tc[tco + sr + j] = t;
                }
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
        for (int row = 0; row < b; row++) {
            int xr = gxo + row * 3 * h;
            int hr = gho + row * 3 * h;
            int sr = row * h;
            for (int j = 0; j < h; j++) {
                float r = Elementwise.sigmoid(gx[xr + j] + gh[hr + j]);
                float z = Elementwise.sigmoid(gx[xr + h + j] + gh[hr + h + j]);
                float n = (float) Math.tanh(gx[xr + 2 * h + j] + r * gh[hr + 2 * h + j]);
                gx[xr + j] = r;
                gx[xr + h + j] = z;
                gx[xr + 2 * h + j] = n;
                ho[hoo + sr + j] = (1f - z) * n + z * hp[hpo + sr + j];
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
