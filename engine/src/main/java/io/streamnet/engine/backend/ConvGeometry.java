package io.streamnet.engine.backend;

/**
 * The geometry of a 2-D convolution over one image of {@code channels x height x width}:
 * output size is {@code (H + 2p - k) / s + 1} per axis.
 */
public record ConvGeometry(int channels, int height, int width, int kernelH, int kernelW,
                           int strideH, int strideW, int padH, int padW) {
    public ConvGeometry {
        if (channels <= 0 || height <= 0 || width <= 0 || kernelH <= 0 || kernelW <= 0
                || strideH <= 0 || strideW <= 0 || padH < 0 || padW < 0) {
            throw new IllegalArgumentException("invalid convolution geometry " + describe(channels, height, width,
                    kernelH, kernelW, strideH, strideW, padH, padW));
        }
        if (height + 2 * padH < kernelH || width + 2 * padW < kernelW) {
            throw new IllegalArgumentException("kernel larger than padded input: " + describe(channels, height,
                    width, kernelH, kernelW, strideH, strideW, padH, padW));
        }
    }

    public static ConvGeometry square(int channels, int height, int width, int kernel, int stride, int pad) {
        return new ConvGeometry(channels, height, width, kernel, kernel, stride, stride, pad, pad);
    }

    public int outH() {
        return (height + 2 * padH - kernelH) / strideH + 1;
    }

    public int outW() {
        return (width + 2 * padW - kernelW) / strideW + 1;
    }

    /** Rows of the im2col matrix: one per (channel, kernel row, kernel column). */
    public int patchSize() {
        return channels * kernelH * kernelW;
    }

    private static String describe(int c, int h, int w, int kh, int kw, int sh, int sw, int ph, int pw) {
        return "[C=" + c + ", H=" + h + ", W=" + w + ", k=" + kh + "x" + kw + ", s=" + sh + "x" + sw
                + ", p=" + ph + "x" + pw + "]";
    }
}
