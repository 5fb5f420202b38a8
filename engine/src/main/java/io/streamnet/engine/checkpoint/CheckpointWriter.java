package io.streamnet.engine.checkpoint;

import static io.streamnet.engine.checkpoint.CheckpointFormat.CHUNK_BYTES;
import static io.streamnet.engine.checkpoint.CheckpointFormat.PREAMBLE_BYTES;
import static io.streamnet.engine.checkpoint.CheckpointFormat.TRAILER_BYTES;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.streamnet.engine.checkpoint.CheckpointException.Reason;
import io.streamnet.engine.tensor.Tensor;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes checkpoints in the {@link CheckpointFormat} layout. It refuses what a reader with the same
 * limits would refuse (non-finite weights, oversized header or payload), so nothing unloadable is
 * ever published. Thread-safe.
 */
public final class CheckpointWriter {
    private static final Logger LOG = LoggerFactory.getLogger(CheckpointWriter.class);

    private final CheckpointLimits limits;

    public CheckpointWriter() {
        this(CheckpointLimits.DEFAULT);
    }

    public CheckpointWriter(CheckpointLimits limits) {
        this.limits = Objects.requireNonNull(limits, "limits");
    }

    /**
     * Writes to a temporary file beside {@code target}, forces it to disk, then renames it over
     * {@code target}: readers see the old checkpoint or the new one, never half of one.
     */
    public void write(Checkpoint checkpoint, Path target) throws IOException {
        byte[] header = encodeHeader(checkpoint);
        Path dir = target.toAbsolutePath().getParent();
        Path tmp = dir.resolve("." + target.getFileName() + "."
                + Long.toHexString(ThreadLocalRandom.current().nextLong()) + ".tmp");
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                writeTo(checkpoint, header, Channels.newOutputStream(ch));
                ch.force(true);
            }
            try {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                LOG.warn("atomic rename not supported in {}; replacing {} non-atomically", dir, target);
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
        LOG.info("wrote checkpoint {} ({} tensors, {} parameters, {} bytes)", target,
                checkpoint.tensors().size(), checkpoint.parameterCount(),
                PREAMBLE_BYTES + header.length + checkpoint.parameterCount() * Float.BYTES + TRAILER_BYTES);
    }

    /** Writes one checkpoint to {@code out} and flushes it; does not close it. */
    public void write(Checkpoint checkpoint, OutputStream out) throws IOException {
        writeTo(checkpoint, encodeHeader(checkpoint), out);
    }

    /** The checkpoint as one byte array, e.g. for a Kafka {@code ModelUpdate} record. */
    public byte[] toBytes(Checkpoint checkpoint) throws CheckpointException {
        byte[] header = encodeHeader(checkpoint);
        long size = PREAMBLE_BYTES + header.length + checkpoint.parameterCount() * Float.BYTES + TRAILER_BYTES;
        if (size > Integer.MAX_VALUE - 8) {
            throw new CheckpointException(Reason.TOO_LARGE, "checkpoint of " + size
                    + " bytes does not fit a byte array; write it to a file instead");
        }
        ArrayOutput out = new ArrayOutput(new byte[(int) size]);
        try {
            writeTo(checkpoint, header, out);
        } catch (CheckpointException e) {
            throw e;
        } catch (IOException e) {
            throw new UncheckedIOException("writing to memory cannot fail", e);
        }
        return out.bytes;
    }

    /** Validates against the limits and returns the UTF-8 JSON header. */
    private byte[] encodeHeader(Checkpoint c) throws CheckpointException {
        if (c.tensors().size() > limits.maxTensors()) {
            throw new CheckpointException(Reason.TOO_LARGE, "checkpoint has " + c.tensors().size()
                    + " tensors, above the limit of " + limits.maxTensors());
        }
        if (c.parameterCount() > limits.maxParameters()) {
            throw new CheckpointException(Reason.TOO_LARGE, "checkpoint has " + c.parameterCount()
                    + " parameters, above the limit of " + limits.maxParameters());
        }
        ObjectNode root = CheckpointFormat.JSON.createObjectNode();
        root.set("architecture", c.architecture());
        ObjectNode meta = root.putObject("metadata");
        c.metadata().forEach(meta::put);
        ArrayNode list = root.putArray("tensors");
        for (Map.Entry<String, Tensor> e : c.tensors().entrySet()) {
            CheckpointFormat.requireFinite(e.getKey(), e.getValue());
            ArrayNode shape = list.addObject().put("name", e.getKey()).putArray("shape");
            for (int d : e.getValue().shape()) {
                shape.add(d);
            }
        }
        byte[] header;
        try {
            header = CheckpointFormat.JSON.writeValueAsBytes(root);
        } catch (JsonProcessingException e) {
            throw new CheckpointException(Reason.MALFORMED_HEADER, "cannot encode header: " + e.getMessage(), e);
        }
        if (header.length > limits.maxHeaderBytes()) {
            throw new CheckpointException(Reason.HEADER_TOO_LARGE, "header of " + header.length
                    + " bytes exceeds the limit of " + limits.maxHeaderBytes() + " bytes");
        }
        return header;
    }

    private static void writeTo(Checkpoint c, byte[] header, OutputStream out) throws IOException {
        MessageDigest digest = CheckpointFormat.newDigest();
        ByteBuffer pre = ByteBuffer.allocate(PREAMBLE_BYTES).order(ByteOrder.LITTLE_ENDIAN)
                .put(CheckpointFormat.MAGIC).putInt(CheckpointFormat.VERSION).putInt(header.length)
                .putLong(c.parameterCount() * Float.BYTES);
        emit(out, digest, pre.array(), PREAMBLE_BYTES);
        emit(out, digest, header, header.length);
        byte[] chunk = new byte[CHUNK_BYTES];
        FloatBuffer floats = ByteBuffer.wrap(chunk).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer();
        for (Tensor t : c.tensors().values()) {
            for (int done = 0, n = t.size(); done < n; ) {
                int len = Math.min(n - done, CHUNK_BYTES / Float.BYTES);
                floats.put(0, t.data(), t.offset() + done, len);
                emit(out, digest, chunk, len * Float.BYTES);
                done += len;
            }
        }
        out.write(digest.digest());
        out.flush();
    }

    private static void emit(OutputStream out, MessageDigest digest, byte[] bytes, int len) throws IOException {
        digest.update(bytes, 0, len);
        out.write(bytes, 0, len);
    }

    /** Fills a presized array, so toBytes holds the checkpoint once rather than twice. */
    private static final class ArrayOutput extends OutputStream {
        final byte[] bytes;
        int pos;

        ArrayOutput(byte[] bytes) {
            this.bytes = bytes;
        }

        @Override
        public void write(int b) {
            bytes[pos++] = (byte) b;
        }

        @Override
        public void write(byte[] b, int off, int len) {
            System.arraycopy(b, off, bytes, pos, len);
            pos += len;
        }
    }
}
