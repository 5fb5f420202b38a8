package io.streamnet.cnn.zoo;

import io.streamnet.cnn.layer.CnnBuilder;
import io.streamnet.engine.backend.Backend;
import io.streamnet.engine.nn.init.Initializer;
import io.streamnet.engine.nn.layer.Sequential;

/**
 * A small ResNet for 28x28x1 images: a 3x3 stem, three stages of basic residual blocks (16, 32, 64
 * channels; the second and third start with a stride-2 block whose shortcut is a 1x1 projection),
 * global average pooling and a 10-way output layer:
 * <pre>
 * conv 16@3x3 p1 (no bias), BN, ReLU   16x28x28
 * residual 16->16 s1 (identity)        16x28x28
 * residual 16->32 s2 (projection)      32x14x14
 * residual 32->64 s2 (projection)      64x7x7
 * avgpool 7x7                          64x1x1
 * flatten, FC 10                       10
 * </pre>
 */
public final class ResNetMini {
    public static final String NAME = "resnet-mini";

    private ResNetMini() {
    }

    public static Sequential build(Backend backend, long seed) {
        return build(backend, seed, 1);
    }

    /** {@code blocksPerStage} basic blocks in each of the three stages. */
    public static Sequential build(Backend backend, long seed, int blocksPerStage) {
        CnnBuilder b = CnnBuilder.of(backend, seed, 1, 28, 28)
                .conv(16, 3, 1, 1, false).batchNorm().relu();
        int[] widths = {16, 32, 64};
        for (int stage = 0; stage < widths.length; stage++) {
            for (int i = 0; i < blocksPerStage; i++) {
                b.residual(widths[stage], stage > 0 && i == 0 ? 2 : 1);
            }
        }
        return b.globalAvgPool()
                .flatten()
                .dense(10, Initializer.XAVIER_UNIFORM)
                .build();
    }
}
