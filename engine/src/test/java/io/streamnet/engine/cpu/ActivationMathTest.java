package io.streamnet.engine.cpu;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.Random;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The vectorised tanh and sigmoid: accurate to a few ulp, and the same for an element wherever it sits. */
class ActivationMathTest {
    private final VectorActivationMath math = new VectorActivationMath();
    private float[] x;

    @BeforeEach
    void needsVectorModule() {
        assumeTrue(ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent(),
                "jdk.incubator.vector not enabled in this JVM: vector activation math not checked");
        Random rng = new Random(3);
        x = new float[4099];
        for (int i = 0; i < x.length; i++) {
            double scale = i % 4 == 0 ? 1e-3 : i % 4 == 1 ? 0.3 : i % 4 == 2 ? 3 : 40;
            x[i] = (float) (rng.nextGaussian() * scale);
        }
        x[0] = 0f;
        x[1] = -0f;
        x[2] = 1000f;
        x[3] = -1000f;
        x[4] = 0.25f;
        x[5] = -0.2499999f;
    }

    private static double ulps(float got, double exact) {
        float e = (float) exact;
        return Math.abs(got - exact) / Math.max(Math.ulp(e), Float.MIN_NORMAL);
    }

    @Test
    void tanhIsWithinFourUlpOfTheExactValue() {
        float[] y = new float[x.length];
        math.tanh(x, 0, y, 0, x.length);
        for (int i = 0; i < x.length; i++) {
            assertThat(ulps(y[i], Math.tanh(x[i]))).as("tanh(%s) = %s", x[i], y[i]).isLessThanOrEqualTo(4);
        }
    }

    @Test
    void sigmoidIsWithinFourUlpOrOneEMinus37OfTheExactValue() {
        float[] y = new float[x.length];
        math.sigmoid(x, 0, y, 0, x.length);
        for (int i = 0; i < x.length; i++) {
            double exact = 1 / (1 + Math.exp(-(double) x[i]));
            assertThat(ulps(y[i], exact) <= 4 || Math.abs(y[i] - exact) < 1e-37)
                    .as("sigmoid(%s) = %s vs %s", x[i], y[i], exact).isTrue();
        }
    }

    @Test
    void anElementsValueDoesNotDependOnItsPositionOrTheRangeLength() {
        float[] all = new float[x.length];
        math.tanh(x, 0, all, 0, x.length);
        for (int off : new int[] {1, 5, 17, 100}) {
            for (int len : new int[] {1, 3, 16, 33, 77}) {
                float[] part = new float[len];
                math.tanh(x, off, part, 0, len);
                for (int j = 0; j < len; j++) {
                    assertThat(part[j]).isEqualTo(all[off + j]);
                }
            }
        }
    }
}
