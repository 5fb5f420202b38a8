package io.streamnet.cli.train;

import java.nio.file.Path;

/** Where trained checkpoints go by default. */
public final class Models {
    private Models() {
    }

    public static Path defaultPath(String file) {
        return Path.of(System.getProperty("user.home"), ".cache", "streamnet", "models", file);
    }
}
