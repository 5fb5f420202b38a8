package io.streamnet.datasets;

/** The two published splits: 60,000 training and 10,000 test images. */
public enum FashionMnistSplit {
    TRAIN(FashionMnistFile.TRAIN_IMAGES, FashionMnistFile.TRAIN_LABELS),
    TEST(FashionMnistFile.TEST_IMAGES, FashionMnistFile.TEST_LABELS);

    private final FashionMnistFile images;
    private final FashionMnistFile labels;

    FashionMnistSplit(FashionMnistFile images, FashionMnistFile labels) {
        this.images = images;
        this.labels = labels;
    }

    public FashionMnistFile images() {
        return images;
    }

    public FashionMnistFile labels() {
        return labels;
    }
}
