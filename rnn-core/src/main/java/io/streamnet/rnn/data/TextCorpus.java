package io.streamnet.rnn.data;

import io.streamnet.datasets.DatasetUnavailableException;
import io.streamnet.datasets.PublishedDataset;
import java.io.IOException;
import java.net.URI;
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

    /** karpathy/char-rnn's copy, the corpus's origin. */
    public static final URI OFFICIAL_BASE =
            URI.create("https://raw.githubusercontent.com/karpathy/char-rnn/master/data/tinyshakespeare/");
    public static final String FILE_NAME = "input.txt";

    /**
     * Where {@code input.txt} is, when {@value #FILE_PROPERTY}/{@value #FILE_ENV} name no file:
     * {@code shared/datasets/tinyshakespeare} above the working directory, else
     * {@code ~/.cache/streamnet/tinyshakespeare}, else downloaded from {@link #OFFICIAL_BASE} and verified.
     */
    public static PublishedDataset.Builder tinyShakespeareSource() {
        return PublishedDataset.builder("Tiny Shakespeare", "tinyshakespeare")
                .file(FILE_NAME, "86c4e6aa9db7c042ec79f339dcb96d42b0075e16b8fc2e86bf0ca57e2dc565ed")
                .source(PublishedDataset.Source.files(OFFICIAL_BASE));
    }

    private static final PublishedDataset TINY_SHAKESPEARE = tinyShakespeareSource().build();

    /** The configured file ({@value #FILE_PROPERTY}, else {@value #FILE_ENV}), else as {@link #tinyShakespeareSource()}. */
    public static Path locateTinyShakespeare() throws DatasetUnavailableException {
        String configured = System.getProperty(FILE_PROPERTY, System.getenv(FILE_ENV));
        if (configured != null && !configured.isBlank()) {
            Path p = Path.of(configured);
            if (!Files.isRegularFile(p)) {
                throw new DatasetUnavailableException("Tiny Shakespeare file " + p + " (from -D" + FILE_PROPERTY
                        + " or " + FILE_ENV + ") does not exist", null);
            }
            return p;
        }
        return TINY_SHAKESPEARE.locate().resolve(FILE_NAME);
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
