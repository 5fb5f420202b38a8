package io.streamnet.cnn.zoo;

import io.streamnet.cnn.layer.CnnBuilder;
import io.streamnet.engine.backend.Backend;
import io.streamnet.engine.nn.init.Initializer;
import io.streamnet.engine.nn.layer.Sequential;

/**
 * LeNet-5 (LeCun et al., 1998) for 28x28x1 images, in its common modern form (ReLU, max pooling, a
 * plain 10-way output layer instead of RBF units):
 * <pre>
 * input                    1x28x28
 * conv 6@5x5, pad 2, ReLU  6x28x28      156 params
 * maxpool 2x2, stride 2    6x14x14
 * conv 16@5x5, ReLU        16x10x10   2,416 params (full C3 connectivity)
 * maxpool 2x2, stride 2    16x5x5
 * flatten                  400
 * FC 120, ReLU             120       48,120 params
 * FC 84, ReLU              84        10,164 params
 * FC 10 (logits)           10           850 params
 * total                              61,706 params
 * </pre>
 */
public final class LeNet5 {
    public static final String NAME = "lenet5";
    public static final long PARAMETERS = 61_706;

    private LeNet5() {
    }

    public static Sequential build(Backend backend, long seed) {
        return build(backend, seed, 10);
    }

    public static Sequential build(Backend backend, long seed, int classes) {
        return CnnBuilder.of(backend, seed, 1, 28, 28)
                .conv(6, 5, 1, 2).relu()
                .maxPool(2, 2)
                .conv(16, 5, 1, 0).relu()
                .maxPool(2, 2)
                .flatten()
                .dense(120, Initializer.HE_NORMAL).relu()
                .dense(84, Initializer.HE_NORMAL).relu()
                .dense(classes, Initializer.XAVIER_UNIFORM)
                .build();
    }
}
