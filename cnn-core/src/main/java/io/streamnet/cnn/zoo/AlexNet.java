package io.streamnet.cnn.zoo;

import io.streamnet.cnn.layer.CnnBuilder;
import io.streamnet.engine.backend.Backend;
import io.streamnet.engine.nn.init.Initializer;
import io.streamnet.engine.nn.layer.Sequential;

/**
 * AlexNet (Krizhevsky et al., 2012) with the classic shapes, as one tower (the two-GPU split merged)
 * and without local response normalisation or dropout (neither has parameters):
 * <pre>
 * input                          3x227x227
 * conv1 96@11x11 s4, ReLU        96x55x55       34,944
 * maxpool 3x3 s2                 96x27x27
 * conv2 256@5x5 p2, ReLU         256x27x27     614,656
 * maxpool 3x3 s2                 256x13x13
 * conv3 384@3x3 p1, ReLU         384x13x13     885,120
 * conv4 384@3x3 p1, ReLU         384x13x13   1,327,488
 * conv5 256@3x3 p1, ReLU         256x13x13     884,992
 * maxpool 3x3 s2                 256x6x6
 * flatten                        9216
 * FC 4096, ReLU                  4096       37,752,832
 * FC 4096, ReLU                  4096       16,781,312
 * FC 1000 (logits)               1000        4,097,000
 * total                                     62,378,344
 * </pre>
 */
public final class AlexNet {
    public static final String NAME = "alexnet";
    public static final long PARAMETERS = 62_378_344;

    private AlexNet() {
    }

    public static Sequential build(Backend backend, long seed) {
        return build(backend, seed, 1000);
    }

    public static Sequential build(Backend backend, long seed, int classes) {
        return CnnBuilder.of(backend, seed, 3, 227, 227)
                .conv(96, 11, 4, 0).relu()
                .maxPool(3, 2)
                .conv(256, 5, 1, 2).relu()
                .maxPool(3, 2)
                .conv(384, 3, 1, 1).relu()
                .conv(384, 3, 1, 1).relu()
                .conv(256, 3, 1, 1).relu()
                .maxPool(3, 2)
                .flatten()
                .dense(4096, Initializer.HE_NORMAL).relu()
                .dense(4096, Initializer.HE_NORMAL).relu()
                .dense(classes, Initializer.XAVIER_UNIFORM)
                .build();
    }
}
