package io.streamnet.datasets;

import io.streamnet.engine.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One split of Fashion-MNIST in memory: {@code count} grey-scale images of {@code rows x cols}
 * pixels and their class labels 0..9.
 *
 * <p>Images are held twice: as the raw uint8 bytes of the file (cheap, a quarter of the floats)
 * and as floats scaled to [0, 1], flat and row-major, image after image, so that
 * {@code Tensor.wrap(images(), count, rows*cols)} or {@code (count, 1, rows, cols)} views them
 * without a copy. The arrays are shared, not copied: callers must not modify them.
 */
public final class FashionMnist {
    private static final Logger LOG = LoggerFactory.getLogger(FashionMnist.class);

    /** Class names by label, as published by Zalando Research. */
    public static final List<String> CLASS_NAMES = List.of(
            "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
            "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot");
    public static final int NUM_CLASSES = CLASS_NAMES.size();
    /** Pass as {@code limit} to load a whole split. */
    public static final int ALL = Integer.MAX_VALUE;

    // i / 255f for every byte value: exact division once, a table lookup per pixel.
    private static final float[] UNIT_SCALE = new float[256];

    static {
        for (int i = 0; i < 256; i++) {
            UNIT_SCALE[i] = i / 255f;
        }
    }

    private final int count;
    private final int rows;
    private final int cols;
    private final byte[] pixels;
    private final float[] images;
    private final int[] labels;

    private FashionMnist(int count, int rows, int cols, byte[] pixels, float[] images, int[] labels) {
        this.count = count;
        this.rows = rows;
        this.cols = cols;
        this.pixels = pixels;
        this.images = images;
        this.labels = labels;
    }

    /** The 60,000 training images, from wherever {@code locator} finds or fetches them. */
    public static FashionMnist loadTrain(DatasetLocator locator) throws IOException {
        return load(locator, FashionMnistSplit.TRAIN, ALL);
    }

    /** The first {@code limit} training images (for fast tests and smoke runs). */
    public static FashionMnist loadTrain(DatasetLocator locator, int limit) throws IOException {
        return load(locator, FashionMnistSplit.TRAIN, limit);
    }

    /** The 10,000 test images. */
    public static FashionMnist loadTest(DatasetLocator locator) throws IOException {
        return load(locator, FashionMnistSplit.TEST, ALL);
    }

    /** The first {@code limit} test images. */
    public static FashionMnist loadTest(DatasetLocator locator, int limit) throws IOException {
        return load(locator, FashionMnistSplit.TEST, limit);
    }

    public static FashionMnist load(DatasetLocator locator, FashionMnistSplit split, int limit) throws IOException {
        Path dir = locator.locate();
        return read(dir.resolve(split.images().fileName()), dir.resolve(split.labels().fileName()), limit);
    }

    /**
     * Reads the first {@code limit} images (all if the file holds fewer) from a pair of gzip IDX
     * files. The two headers must declare the same count, and every label must be a class 0..9.
     */
    public static FashionMnist read(Path imagesGz, Path labelsGz, int limit) throws IOException {
        if (limit < 0) {
            throw new IllegalArgumentException("limit must be >= 0, got " + limit);
        }
        long start = System.nanoTime();
        try (IdxReader imageFile = IdxReader.openImages(imagesGz);
             IdxReader labelFile = IdxReader.openLabels(labelsGz)) {
            if (imageFile.count() != labelFile.count()) {
                throw new IOException("image/label count mismatch: " + imagesGz + " holds " + imageFile.count()
                        + " images but " + labelsGz + " holds " + labelFile.count() + " labels");
            }
            int n = Math.min(limit, imageFile.count());
            int[] labels = toLabels(labelFile.readItems(n), labelsGz);
            byte[] pixels = imageFile.readItems(n);
            FashionMnist data = new FashionMnist(n, imageFile.rows(), imageFile.cols(), pixels, toUnit(pixels), labels);
            LOG.info("Read {} of {} Fashion-MNIST images ({}x{}) from {} in {} ms", n, imageFile.count(),
                    imageFile.rows(), imageFile.cols(), imagesGz, (System.nanoTime() - start) / 1_000_000);
            return data;
        }
    }

    private static int[] toLabels(byte[] raw, Path file) throws IOException {
        int[] labels = new int[raw.length];
        for (int i = 0; i < raw.length; i++) {
            int label = raw[i] & 0xFF;
            if (label >= NUM_CLASSES) {
                throw new IOException(file + ": label " + label + " at index " + i + " is not a class 0.."
                        + (NUM_CLASSES - 1));
            }
            labels[i] = label;
        }
        return labels;
    }

    private static float[] toUnit(byte[] pixels) {
        float[] out = new float[pixels.length];
        for (int i = 0; i < pixels.length; i++) {
            out[i] = UNIT_SCALE[pixels[i] & 0xFF];
        }
        return out;
    }

    /** Name of class {@code label} (0..9), e.g. 9 -> "Ankle boot". */
    public static String className(int label) {
        return CLASS_NAMES.get(label);
    }

    public int count() {
        return count;
    }

    public int rows() {
        return rows;
    }

    public int cols() {
        return cols;
    }

    public int pixelsPerImage() {
        return rows * cols;
    }

    /** All images as floats in [0, 1], {@code count * rows * cols}, row-major. Shared, not a copy. */
    public float[] images() {
        return images;
    }

    /** All images as the file's unsigned bytes (read with {@code & 0xFF}). Shared, not a copy. */
    public byte[] pixels() {
        return pixels;
    }

    /** Labels 0..9, one per image. Shared, not a copy. */
    public int[] labels() {
        return labels;
    }

    public int label(int i) {
        return labels[i];
    }

    /** A {@code [count, rows*cols]} view of {@link #images()}. */
    public Tensor imagesFlat() {
        return Tensor.wrap(images, count, pixelsPerImage());
    }

    /** A {@code [count, 1, rows, cols]} view of {@link #images()}, the layout conv layers take. */
    public Tensor imagesNchw() {
        return Tensor.wrap(images, count, 1, rows, cols);
    }

    /** Image {@code i} as a {@code [rows, cols]} view. */
    public Tensor image(int i) {
        Objects.checkIndex(i, count);
        return Tensor.view(images, i * pixelsPerImage(), rows, cols);
    }

    /** How many images each class has, indexed by label. */
    public int[] classCounts() {
        int[] counts = new int[NUM_CLASSES];
        for (int label : labels) {
            counts[label]++;
        }
        return counts;
    }

    /** Images {@code from} (inclusive) to {@code to} (exclusive), copied into a new dataset. */
    public FashionMnist subset(int from, int to) {
        if (from < 0 || to > count || from > to) {
            throw new IndexOutOfBoundsException("subset [" + from + ", " + to + ") of " + count + " images");
        }
        int p = pixelsPerImage();
        return new FashionMnist(to - from, rows, cols,
                Arrays.copyOfRange(pixels, from * p, to * p),
                Arrays.copyOfRange(images, from * p, to * p),
                Arrays.copyOfRange(labels, from, to));
    }
}
