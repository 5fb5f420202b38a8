package io.streamnet.engine.backend;

/** Pooling windows over {@code [N, C, H, W]} input: window size and stride per axis, no padding. */
public record PoolGeometry(int windowH, int windowW, int strideH, int strideW) {
    public PoolGeometry {
        if (windowH <= 0 || windowW <= 0 || strideH <= 0 || strideW <= 0) {
            throw new IllegalArgumentException("invalid pooling geometry: window " + windowH + "x" + windowW
                    + ", stride " + strideH + "x" + strideW);
        }
    }

    public static PoolGeometry square(int window, int stride) {
        return new PoolGeometry(window, window, stride, stride);
    }

    public int outH(int height) {
        return (height - windowH) / strideH + 1;
    }

    public int outW(int width) {
        return (width - windowW) / strideW + 1;
    }
}
