package io.streamnet.demo;

import io.streamnet.datasets.DatasetLocator;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** A demo's datasets for tests: sentiment sentences made small, Fashion-MNIST made unreachable. */
public final class DemoInputs {
    private DemoInputs() {
    }

    /** Three sentiment files of two sentences each. */
    public static Path sentimentDir(Path root) throws IOException {
        Path dir = Files.createDirectories(root.resolve("sentiment"));
        for (String f : new String[] {"amazon_cells_labelled.txt", "imdb_labelled.txt", "yelp_labelled.txt"}) {
            Files.writeString(dir.resolve(f), "Great phone.\t1\nNot recommended.\t0\n", StandardCharsets.UTF_8);
        }
        return dir;
    }

    /** Fashion-MNIST nowhere on disk and its download refused at once, as on a machine without network. */
    public static DatasetLocator fashionMnistOffline(Path root) throws IOException {
        int closed;
        try (ServerSocket s = new ServerSocket(0)) {
            closed = s.getLocalPort();
        }
        return DatasetLocator.builder().systemDir(null).cacheDir(root.resolve("cache/fashion-mnist"))
                .baseUrl(URI.create("http://127.0.0.1:" + closed + "/")).build();
    }
}
