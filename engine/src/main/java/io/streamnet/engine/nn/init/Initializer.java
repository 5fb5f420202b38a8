package io.streamnet.engine.nn.init;

import io.streamnet.engine.tensor.Tensor;
import java.util.Random;

/** Weight initialisers. Glorot/Xavier suits tanh and sigmoid; He suits the ReLU family. */
public enum Initializer {
    ZEROS {
        @Override
        public void fill(Tensor t, int fanIn, int fanOut, Random rng) {
            t.fill(0f);
        }
    },
    /** Glorot and Bengio (2010): U(-a, a), a = sqrt(6 / (fanIn + fanOut)). */
    XAVIER_UNIFORM {
        @Override
        public void fill(Tensor t, int fanIn, int fanOut, Random rng) {
            uniform(t, Math.sqrt(6.0 / (fanIn + fanOut)), rng);
        }
    },
    /** N(0, 2 / (fanIn + fanOut)). */
    XAVIER_NORMAL {
        @Override
        public void fill(Tensor t, int fanIn, int fanOut, Random rng) {
            normal(t, Math.sqrt(2.0 / (fanIn + fanOut)), rng);
        }
    },
    /** He et al. (2015): N(0, 2 / fanIn). */
    HE_NORMAL {
        @Override
        public void fill(Tensor t, int fanIn, int fanOut, Random rng) {
            normal(t, Math.sqrt(2.0 / fanIn), rng);
        }
    },
    /** U(-a, a), a = sqrt(6 / fanIn). */
    HE_UNIFORM {
        @Override
        public void fill(Tensor t, int fanIn, int fanOut, Random rng) {
            uniform(t, Math.sqrt(6.0 / fanIn), rng);
        }
    };

    public abstract void fill(Tensor t, int fanIn, int fanOut, Random rng);

    private static void uniform(Tensor t, double a, Random rng) {
        for (int i = 0; i < t.size(); i++) {
            t.put(i, (float) ((rng.nextDouble() * 2 - 1) * a));
        }
    }

    private static void normal(Tensor t, double std, Random rng) {
        for (int i = 0; i < t.size(); i++) {
            t.put(i, (float) (rng.nextGaussian() * std));
        }
    }
}
