package io.streamnet.engine.cpu;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** The plane sums against double-precision references, at every length around the vector widths and at offsets. */
class PlaneSumsTest {
    @Test
    void sumsSquaredDeviationsAndDotsMatchDoublePrecisionAtEveryLengthAndOffset() {
        Random r = new Random(5);
        float[] a = new float[1200];
        float[] b = new float[1200];
        for (int i = 0; i < a.length; i++) {
            a[i] = r.nextFloat() * 2 - 1;
            b[i] = r.nextFloat() * 2 - 1;
        }
        PlaneSums.Impl scalar = new PlaneSums.Scalar();
        for (int n : new int[] {0, 1, 3, 7, 8, 15, 16, 17, 31, 33, 49, 196, 784, 1000}) {
            for (int off : new int[] {0, 3, 101}) {
                double s = 0;
                double sd = 0;
                double d = 0;
                float mu = 0.125f;
                for (int i = 0; i < n; i++) {
                    s += a[off + i];
                    sd += (a[off + i] - mu) * (double) (a[off + i] - mu);
                    d += a[off + i] * (double) b[off + 7 + i];
                }
                double tol = 1e-6 * (n + 1);
                assertThat((double) PlaneSums.sum(a, off, n)).as("sum n=" + n).isCloseTo(s, within(tol));
                assertThat((double) PlaneSums.squaredDeviations(a, off, n, mu)).as("sd n=" + n).isCloseTo(sd, within(tol));
                assertThat((double) PlaneSums.dot(a, off, b, off + 7, n)).as("dot n=" + n).isCloseTo(d, within(tol));
                assertThat((double) scalar.sum(a, off, n)).as("scalar sum n=" + n).isCloseTo(s, within(tol));
                assertThat((double) scalar.dot(a, off, b, off + 7, n)).as("scalar dot n=" + n).isCloseTo(d, within(tol));
            }
        }
    }
}
