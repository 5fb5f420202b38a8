package io.streamnet.cnn.zoo;

import io.streamnet.engine.backend.Backend;
import io.streamnet.engine.nn.layer.Sequential;
import java.util.List;
import java.util.Locale;

/** The zoo's models by name: "lenet5", "alexnet", "resnet-mini". */
public final class ModelZoo {
    public static final List<String> NAMES = List.of(LeNet5.NAME, AlexNet.NAME, ResNetMini.NAME);

    private ModelZoo() {
    }

    public static Sequential build(String name, Backend backend, long seed) {
        return switch (name.toLowerCase(Locale.ROOT)) {
            case LeNet5.NAME, "lenet-5" -> LeNet5.build(backend, seed);
            case AlexNet.NAME -> AlexNet.build(backend, seed);
            case ResNetMini.NAME, "resnetmini", "resnet_mini" -> ResNetMini.build(backend, seed);
            default -> throw new IllegalArgumentException("unknown model '" + name + "'; known: " + NAMES);
        };
    }
}
