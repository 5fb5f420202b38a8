package io.streamnet.interop;

/** PyTorch stores weights for {@code x W^T}, our layers for {@code x W}: the one layout change between them. */
public final class Matrices {
    private Matrices() {
    }

    /** Row-major (rows, cols) to (cols, rows). */
    public static float[] transpose(float[] v, int rows, int cols) {
        float[] t = new float[v.length];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                t[c * rows + r] = v[r * cols + c];
            }
        }
        return t;
    }
}
