package io.streamnet.rnn.data;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Tiny Shakespeare (karpathy/char-rnn; public-domain text) for next-character models: one text,
 * split by position, first 90% for training and the last 10% for validation.
 */
public final class TextCorpus {
    public static final String FILE_PROPERTY = "streamnet.data.tinyshakespeare";
    public static final String FILE_ENV = "STREAMNET_TINYSHAKESPEARE";

    private TextCorpus() {
    }

    /** The file: the system property, the environment variable, else shared/datasets/tinyshakespeare/input.txt upwards. */
    public static Path locateTinyShakespeare() throws IOException {
        String configured = System.getProperty(FILE_PROPERTY, System.getenv(FILE_ENV));
        if (configured != null && !configured.isBlank()) {
            Path p = Path.of(configured);
            if (!Files.isRegularFile(p)) {
                throw new IOException("Tiny Shakespeare file " + p + " does not exist");
            }
            return p;
        }
        for (Path d = Path.of("").toAbsolutePath(); d != null; d = d.getParent()) {
            Path p = d.resolve("shared/datasets/tinyshakespeare/input.txt");
            if (Files.isRegularFile(p)) {
                return p;
            }
        }
        throw new IOException("Tiny Shakespeare not found: set -D" + FILE_PROPERTY + " or " + FILE_ENV
                + " to its input.txt (the project keeps it in ../shared/datasets/tinyshakespeare)");
    }

    public static String read(Path file) throws IOException {
        return Files.readString(file, StandardCharsets.UTF_8);
    }

    /** [train, validation] at {@code trainShare} of the characters. */
    public static String[] split(String text, double trainShare) {
        int cut = (int) (text.length() * trainShare);
        return new String[] {text.substring(0, cut), text.substring(cut)};
    }

    /**
     * Cuts a long id sequence into {@code streams} equal contiguous streams, inputs ids[t] and labels
     * ids[t+1]: [0] inputs, [1] labels, each (streams, length).
     */
    public static int[][][] streams(int[] ids, int streams) {
        int len = (ids.length - 1) / streams;
        if (len < 1) {
            throw new IllegalArgumentException(ids.length + " ids are too few for " + streams + " streams");
        }
        int[][] in = new int[streams][len];
        int[][] out = new int[streams][len];
        for (int s = 0; s < streams; s++) {
            System.arraycopy(ids, s * len, in[s], 0, len);
            System.arraycopy(ids, s * len + 1, out[s], 0, len);
        }
        return new int[][][] {in, out};
    }
}
