package io.streamnet.datasets;

/**
 * The four published Fashion-MNIST files, with the sha256 of each .gz as published by Zalando
 * Research and shipped by the Debian package {@code dataset-fashion-mnist}. A download is accepted
 * only if it hashes to this value.
 */
public enum FashionMnistFile {
    TRAIN_IMAGES("train-images-idx3-ubyte.gz", "b0564c3eedabfbf835052cff8503ea422014ce006caf5b757f851416ee8300c7"),
    TRAIN_LABELS("train-labels-idx1-ubyte.gz", "0ae29f65d86684f32d1b9c85147786c547b9c6aebcaf235f0400a0cce308b056"),
    TEST_IMAGES("t10k-images-idx3-ubyte.gz", "cc1d090a38ace84dfa1aa66e3ada7c336ef481a96936906477e6dd344da56eaa"),
    TEST_LABELS("t10k-labels-idx1-ubyte.gz", "8d3605d196f4be44669e46906da9733c8131fef761fdbfec72c424d5222f1a05");

    private final String fileName;
    private final String sha256;

    FashionMnistFile(String fileName, String sha256) {
        this.fileName = fileName;
        this.sha256 = sha256;
    }

    /** The file name, identical in the Debian package, the official download and the cache. */
    public String fileName() {
        return fileName;
    }

    /** Lower-case hex sha256 of the gzip file. */
    public String sha256() {
        return sha256;
    }
}
