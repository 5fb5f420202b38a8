package io.streamnet.datasets;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.zip.GZIPOutputStream;

/** Builds small synthetic IDX files, so the tests never need (or copy) the real dataset. */
final class IdxTestFiles {
    static final int SIDE = 28;
    static final int PIXELS = SIDE * SIDE;

    private IdxTestFiles() {
    }

    /** Uncompressed images file: header then {@code pixels} as is (which may be short on purpose). */
    static byte[] imagesIdx(int magic, int count, int rows, int cols, byte[] pixels) {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(buf)) {
            out.writeInt(magic);
            out.writeInt(count);
            out.writeInt(rows);
            out.writeInt(cols);
            out.write(pixels);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return buf.toByteArray();
    }

    static byte[] labelsIdx(int magic, int count, byte[] labels) {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(buf)) {
            out.writeInt(magic);
            out.writeInt(count);
            out.write(labels);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return buf.toByteArray();
    }

    static byte[] gzip(byte[] raw) {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        try (OutputStream out = new GZIPOutputStream(buf)) {
            out.write(raw);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return buf.toByteArray();
    }

    static Path writeGzip(Path file, byte[] raw) throws IOException {
        return Files.write(file, gzip(raw));
    }

    /** {@code count} 28x28 images where pixel p of image i is {@link #pixel}(i, p). */
    static byte[] patternPixels(int count) {
        byte[] pixels = new byte[count * PIXELS];
        for (int i = 0; i < count; i++) {
            for (int p = 0; p < PIXELS; p++) {
                pixels[i * PIXELS + p] = (byte) pixel(i, p);
            }
        }
        return pixels;
    }

    /** A value that differs per image and per position and covers 0 and 255. */
    static int pixel(int image, int position) {
        return (image * 31 + position) % 256;
    }

    /** Labels 0..9 cycling from {@code first}. */
    static byte[] cyclingLabels(int count, int first) {
        byte[] labels = new byte[count];
        for (int i = 0; i < count; i++) {
            labels[i] = (byte) ((first + i) % 10);
        }
        return labels;
    }

    /** Writes all four Fashion-MNIST files (gz) with {@code count} synthetic 28x28 images each. */
    static Path writeFashionMnistDir(Path dir, int count) throws IOException {
        Files.createDirectories(dir);
        for (FashionMnistSplit split : FashionMnistSplit.values()) {
            writeGzip(dir.resolve(split.images().fileName()),
                    imagesIdx(IdxReader.IMAGES_MAGIC, count, SIDE, SIDE, patternPixels(count)));
            writeGzip(dir.resolve(split.labels().fileName()),
                    labelsIdx(IdxReader.LABELS_MAGIC, count, cyclingLabels(count, 9)));
        }
        return dir;
    }

    static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static String sha256(Path file) throws IOException {
        return sha256(Files.readAllBytes(file));
    }
}
