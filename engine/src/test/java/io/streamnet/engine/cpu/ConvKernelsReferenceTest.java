package io.streamnet.engine.cpu;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamnet.engine.backend.ConvGeometry;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * im2col and col2im against the definition, element by element, over geometries where the valid
 * range of a kernel column is empty, partial or whole: strides 1-3, padding 0-3 (even wider than
 * the kernel's reach), non-square kernels and images, 1x1 kernels.
 */
class ConvKernelsReferenceTest {
    private static final int[][] GEOMETRIES = {
        // C, H, W, kh, kw, sh, sw, ph, pw
        {1, 5, 5, 3, 3, 1, 1, 1, 1},
        {2, 7, 6, 3, 2, 2, 1, 0, 1},
        {3, 8, 9, 5, 5, 1, 1, 2, 2},
        {2, 9, 7, 3, 3, 3, 2, 1, 0},
        {1, 4, 4, 1, 1, 2, 2, 0, 0},
        {2, 3, 4, 2, 3, 1, 3, 3, 2},
        {1, 2, 2, 3, 3, 1, 1, 3, 3},
        {4, 11, 11, 11, 11, 4, 4, 0, 0},
    };

    private static float input(float[] img, ConvGeometry g, int ch, int iy, int ix) {
        if (iy < 0 || iy >= g.height() || ix < 0 || ix >= g.width()) {
            return 0f;
        }
        return img[(ch * g.height() + iy) * g.width() + ix];
    }

    @Test
    void im2colEqualsTheDefinition() {
        Random rnd = new Random(3);
        for (int[] d : GEOMETRIES) {
            ConvGeometry g = new ConvGeometry(d[0], d[1], d[2], d[3], d[4], d[5], d[6], d[7], d[8]);
            float[] img = new float[g.channels() * g.height() * g.width()];
            for (int i = 0; i < img.length; i++) {
                img[i] = rnd.nextFloat() + 0.5f;
            }
            int p = g.outH() * g.outW();
            float[] cols = new float[g.patchSize() * p];
            java.util.Arrays.fill(cols, Float.NaN); // every element must be written
            ConvKernels.im2col(img, 0, g, cols, 0);
            int row = 0;
            for (int ch = 0; ch < g.channels(); ch++) {
                for (int ki = 0; ki < g.kernelH(); ki++) {
                    for (int kj = 0; kj < g.kernelW(); kj++, row++) {
                        for (int y = 0; y < g.outH(); y++) {
                            for (int x = 0; x < g.outW(); x++) {
                                float want = input(img, g, ch, y * g.strideH() - g.padH() + ki,
                                        x * g.strideW() - g.padW() + kj);
                                assertThat(cols[row * p + y * g.outW() + x]).as("%s row %d at (%d,%d)", g, row, y, x)
                                        .isEqualTo(want);
                            }
                        }
                    }
                }
            }
        }
    }

    @Test
    void col2imAddsEveryColumnBackToThePixelItCameFrom() {
        Random rnd = new Random(4);
        for (int[] d : GEOMETRIES) {
            ConvGeometry g = new ConvGeometry(d[0], d[1], d[2], d[3], d[4], d[5], d[6], d[7], d[8]);
            int p = g.outH() * g.outW();
            float[] cols = new float[g.patchSize() * p];
            for (int i = 0; i < cols.length; i++) {
                cols[i] = (float) rnd.nextInt(9);
            }
            float[] want = new float[g.channels() * g.height() * g.width()];
            int row = 0;
            for (int ch = 0; ch < g.channels(); ch++) {
                for (int ki = 0; ki < g.kernelH(); ki++) {
                    for (int kj = 0; kj < g.kernelW(); kj++, row++) {
                        for (int y = 0; y < g.outH(); y++) {
                            for (int x = 0; x < g.outW(); x++) {
                                int iy = y * g.strideH() - g.padH() + ki;
                                int ix = x * g.strideW() - g.padW() + kj;
                                if (iy >= 0 && iy < g.height() && ix >= 0 && ix < g.width()) {
                                    want[(ch * g.height() + iy) * g.width() + ix] += cols[row * p + y * g.outW() + x];
                                }
                            }
                        }
                    }
                }
            }
            float[] got = new float[want.length];
            ConvKernels.col2im(cols, 0, g, got, 0);
            assertThat(got).as("%s", g).containsExactly(want);
        }
    }
}
