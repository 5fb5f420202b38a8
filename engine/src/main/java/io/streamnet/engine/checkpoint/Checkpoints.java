package io.streamnet.engine.checkpoint;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Path;

/**
 * Reads and writes checkpoints with {@link CheckpointLimits#DEFAULT}; for other limits use a
 * {@link CheckpointReader} or {@link CheckpointWriter}. The layout is in {@link CheckpointFormat}.
 */
public final class Checkpoints {
    private static final CheckpointReader READER = new CheckpointReader();
    private static final CheckpointWriter WRITER = new CheckpointWriter();

    private Checkpoints() {
    }

    /** Atomically replaces {@code target} (temporary file, then rename). */
    public static void write(Checkpoint checkpoint, Path target) throws IOException {
        WRITER.write(checkpoint, target);
    }

    public static void write(Checkpoint checkpoint, OutputStream out) throws IOException {
        WRITER.write(checkpoint, out);
    }

    public static byte[] toBytes(Checkpoint checkpoint) throws CheckpointException {
        return WRITER.toBytes(checkpoint);
    }

    public static Checkpoint read(Path path) throws IOException {
        return READER.read(path);
    }

    /** Reads a stream holding exactly one checkpoint, to its end. */
    public static Checkpoint read(InputStream in) throws IOException {
        return READER.read(in);
    }

    public static Checkpoint fromBytes(byte[] bytes) throws CheckpointException {
        return READER.read(bytes);
    }
}
