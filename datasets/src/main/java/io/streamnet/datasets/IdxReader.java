package io.streamnet.datasets;

import java.io.Closeable;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * Reads a gzip-compressed IDX file of unsigned bytes (the MNIST / Fashion-MNIST format): a
 * big-endian header of magic, item count and item dimensions, then the items back to back.
 *
 * <p>Opening reads and checks the header only, so a caller can compare the counts of an image file
 * and its label file before reading any data. Items are then read in bulk, in file order. Every
 * failure is an {@link IOException} whose message names the file and what is wrong with it.
 */
public final class IdxReader implements Closeable {
    /** Unsigned bytes, 3 dimensions: count, rows, cols. */
    public static final int IMAGES_MAGIC = 0x00000803;
    /** Unsigned bytes, 1 dimension: count. */
    public static final int LABELS_MAGIC = 0x00000801;
    /** Largest accepted rows or cols; anything bigger is a corrupt header, not an image. */
    public static final int MAX_SIDE = 4096;

    // Java arrays stop a little short of Integer.MAX_VALUE.
    private static final long MAX_ARRAY = Integer.MAX_VALUE - 8L;
    private static final int GZIP_BUFFER = 1 << 16;

    private final Path file;
    private final DataInputStream in;
    private final int count;
    private final int rows;
    private final int cols;
    private int itemsRead;

    private IdxReader(Path file, DataInputStream in, int count, int rows, int cols) {
        this.file = file;
        this.in = in;
        this.count = count;
        this.rows = rows;
        this.cols = cols;
    }

    /** Opens an images file (magic 0x00000803) and validates its header. */
    public static IdxReader openImages(Path file) throws IOException {
        return open(file, IMAGES_MAGIC);
    }

    /** Opens a labels file (magic 0x00000801) and validates its header. */
    public static IdxReader openLabels(Path file) throws IOException {
        return open(file, LABELS_MAGIC);
    }

    private static IdxReader open(Path file, int expectedMagic) throws IOException {
        DataInputStream in = new DataInputStream(gunzip(file));
        try {
            int magic = readHeaderInt(file, in);
            if (magic != expectedMagic) {
                throw new IOException(file + ": bad IDX magic " + hex(magic) + " (" + describe(magic)
                        + "), expected " + hex(expectedMagic) + " (" + describe(expectedMagic) + ")");
            }
            int count = readHeaderInt(file, in);
            if (count < 0) {
                throw new IOException(file + ": negative item count " + count + " in IDX header");
            }
            int rows = 1;
            int cols = 1;
            if (expectedMagic == IMAGES_MAGIC) {
                rows = readHeaderInt(file, in);
                cols = readHeaderInt(file, in);
                if (rows <= 0 || cols <= 0 || rows > MAX_SIDE || cols > MAX_SIDE) {
                    throw new IOException(file + ": implausible image size " + rows + "x" + cols
                            + " in IDX header (each side must be 1.." + MAX_SIDE + ")");
                }
            }
            return new IdxReader(file, in, count, rows, cols);
        } catch (IOException | RuntimeException e) {
            in.close();
            throw e;
        }
    }

    private static InputStream gunzip(Path file) throws IOException {
        InputStream raw;
        try {
            raw = Files.newInputStream(file);
        } catch (NoSuchFileException e) {
            throw new NoSuchFileException(file.toString(), null, "IDX file does not exist");
        }
        try {
            return new GZIPInputStream(raw, GZIP_BUFFER);
        } catch (ZipException | EOFException e) {
            raw.close();
            throw new IOException(file + ": not a gzip file (" + e.getMessage() + ")", e);
        } catch (IOException e) {
            raw.close();
            throw e;
        }
    }

    private static int readHeaderInt(Path file, DataInputStream in) throws IOException {
        try {
            return in.readInt();
        } catch (EOFException e) {
            throw new IOException(file + ": truncated, the data ended inside the IDX header", e);
        } catch (IOException e) {
            throw corrupt(file, e);
        }
    }

    /** The path this reader was opened on. */
    public Path file() {
        return file;
    }

    /** Number of items the header declares. */
    public int count() {
        return count;
    }

    /** Image rows; 1 for a labels file. */
    public int rows() {
        return rows;
    }

    /** Image columns; 1 for a labels file. */
    public int cols() {
        return cols;
    }

    /** Bytes per item: rows * cols for images, 1 for labels. */
    public int itemSize() {
        return rows * cols;
    }

    /** Items not read yet. */
    public int remaining() {
        return count - itemsRead;
    }

    /**
     * Reads the next {@code n} items as raw unsigned bytes ({@code n * itemSize()} of them, in file
     * order). Fails if the file holds fewer bytes than its header promised.
     */
    public byte[] readItems(int n) throws IOException {
        if (n < 0 || n > remaining()) {
            throw new IllegalArgumentException(file + ": cannot read " + n + " items, " + remaining()
                    + " of " + count + " remain");
        }
        long bytes = (long) n * itemSize();
        if (bytes > MAX_ARRAY) {
            throw new IOException(file + ": " + n + " items of " + itemSize() + " bytes do not fit one array;"
                    + " load fewer with a limit");
        }
        byte[] out = new byte[(int) bytes];
        int got;
        try {
            // readNBytes is a bulk read like readFully, but reports how much arrived, for the message.
            got = in.readNBytes(out, 0, out.length);
        } catch (IOException e) {
            throw corrupt(file, e);
        }
        if (got < out.length) {
            throw new IOException(file + ": truncated, the header declares " + count + " items of "
                    + itemSize() + " bytes but the data ended after " + (itemsRead + got / itemSize())
                    + " items (got " + got + " of " + out.length + " bytes for items " + itemsRead + ".."
                    + (itemsRead + n - 1) + ")");
        }
        itemsRead += n;
        return out;
    }

    @Override
    public void close() throws IOException {
        in.close();
    }

    // GZIPInputStream reports a cut-off or damaged stream as EOFException or ZipException.
    private static IOException corrupt(Path file, IOException e) {
        return new IOException(file + ": gzip data is corrupt or cut off (" + e.getMessage() + ")", e);
    }

    private static String hex(int v) {
        return String.format("0x%08x", v);
    }

    private static String describe(int magic) {
        switch (magic) {
            case IMAGES_MAGIC:
                return "unsigned-byte images";
            case LABELS_MAGIC:
                return "unsigned-byte labels";
            default:
                return "not an unsigned-byte IDX file this reader knows";
        }
    }
}
