package io.streamnet.engine.checkpoint;

import static io.streamnet.engine.checkpoint.CheckpointFormat.CHUNK_BYTES;
import static io.streamnet.engine.checkpoint.CheckpointFormat.MAGIC;
import static io.streamnet.engine.checkpoint.CheckpointFormat.PREAMBLE_BYTES;
import static io.streamnet.engine.checkpoint.CheckpointFormat.TRAILER_BYTES;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.streamnet.engine.checkpoint.CheckpointException.Reason;
import io.streamnet.engine.tensor.Tensor;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Loads checkpoints in the {@link CheckpointFormat} layout, validating as it streams: magic, version,
 * sizes against {@link CheckpointLimits} (before allocating), header JSON, declared shapes against
 * the payload length, completeness, SHA-256, no trailing bytes, and finally finite weights. Each
 * failure is a {@link CheckpointException} whose message starts with the source. Thread-safe.
 */
public final class CheckpointReader {
    private static final Logger LOG = LoggerFactory.getLogger(CheckpointReader.class);

    private final CheckpointLimits limits;

    public CheckpointReader() {
        this(CheckpointLimits.DEFAULT);
    }

    public CheckpointReader(CheckpointLimits limits) {
        this.limits = Objects.requireNonNull(limits, "limits");
    }

    public Checkpoint read(Path path) throws IOException {
        try (InputStream in = Files.newInputStream(path)) {
            return read(in, Files.size(path), path.toString());
        }
    }

    public Checkpoint read(byte[] bytes) throws CheckpointException {
        try {
            return read(new ByteArrayInputStream(bytes), bytes.length, "checkpoint bytes");
        } catch (CheckpointException e) {
            throw e;
        } catch (IOException e) {
            throw new UncheckedIOException("reading from memory cannot fail", e);
        }
    }

    /** Reads a stream that holds exactly one checkpoint, up to its end; does not close it. */
    public Checkpoint read(InputStream in) throws IOException {
        return read(in, -1, "checkpoint stream");
    }

    private record Declared(String name, int[] shape, int count) {
    }

    /** {@code knownLength} is the input's size when known (file, array), else -1. */
    private Checkpoint read(InputStream in, long knownLength, String source) throws IOException {
        MessageDigest digest = CheckpointFormat.newDigest();
        byte[] pre = new byte[PREAMBLE_BYTES];
        int got = in.readNBytes(pre, 0, PREAMBLE_BYTES);
        if (!Arrays.equals(pre, 0, Math.min(got, MAGIC.length), MAGIC, 0, Math.min(got, MAGIC.length))) {
            throw fail(source, Reason.BAD_MAGIC, "not a streamnet checkpoint: bad magic "
                    + HexFormat.of().formatHex(pre, 0, Math.min(got, MAGIC.length)) + " (hex), expected \"STRMCKPT\"");
        }
        if (got < PREAMBLE_BYTES) {
            throw fail(source, Reason.TRUNCATED, "truncated: file ends after " + got + " bytes, inside the "
                    + PREAMBLE_BYTES + "-byte preamble");
        }
        ByteBuffer b = ByteBuffer.wrap(pre).order(ByteOrder.LITTLE_ENDIAN);
        long version = Integer.toUnsignedLong(b.getInt(8));
        if (version != CheckpointFormat.VERSION) {
            throw fail(source, Reason.UNSUPPORTED_VERSION, "unsupported format version " + version
                    + " (this reader supports version " + CheckpointFormat.VERSION + ")");
        }
        long headerLength = Integer.toUnsignedLong(b.getInt(12));
        if (headerLength > limits.maxHeaderBytes()) {
            throw fail(source, Reason.HEADER_TOO_LARGE, "header of " + headerLength
                    + " bytes exceeds the limit of " + limits.maxHeaderBytes() + " bytes");
        }
        long payloadLength = b.getLong(16);
        if (payloadLength < 0 || payloadLength > limits.maxPayloadBytes()) {
            throw fail(source, Reason.TOO_LARGE, "payload of " + Long.toUnsignedString(payloadLength)
                    + " bytes exceeds the limit of " + limits.maxPayloadBytes() + " bytes ("
                    + limits.maxParameters() + " parameters)");
        }
        long total = PREAMBLE_BYTES + headerLength + payloadLength + TRAILER_BYTES;
        // A known size lets us refuse a short file before allocating its tensors.
        if (knownLength >= 0 && knownLength < total) {
            throw fail(source, Reason.TRUNCATED, "truncated: file has " + knownLength
                    + " bytes but its preamble declares " + total);
        }
        if (knownLength > total) {
            throw fail(source, Reason.TRAILING_DATA, "file has " + (knownLength - total)
                    + " unexpected bytes after the " + total + "-byte checkpoint");
        }
        digest.update(pre);

        byte[] header = new byte[(int) headerLength];
        got = in.readNBytes(header, 0, header.length);
        if (got < header.length) {
            throw fail(source, Reason.TRUNCATED, "truncated: header ends after " + got + " of "
                    + headerLength + " bytes");
        }
        digest.update(header);
        JsonNode root = parseHeader(header, source);
        List<Declared> declared = declaredTensors(root.get("tensors"), source);
        long elements = 0;
        for (Declared d : declared) {
            elements += d.count();
        }
        if (elements * Float.BYTES != payloadLength) {
            throw fail(source, Reason.SHAPE_MISMATCH, "header shapes declare " + elements + " floats ("
                    + elements * Float.BYTES + " bytes) but the payload holds " + payloadLength + " bytes");
        }

        Map<String, Tensor> tensors = new LinkedHashMap<>();
        byte[] chunk = new byte[CHUNK_BYTES];
        FloatBuffer floats = ByteBuffer.wrap(chunk).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer();
        long position = PREAMBLE_BYTES + headerLength;
        for (Declared d : declared) {
            float[] data = new float[d.count()];
            for (int done = 0; done < d.count(); ) {
                int len = Math.min(d.count() - done, CHUNK_BYTES / Float.BYTES);
                got = in.readNBytes(chunk, 0, len * Float.BYTES);
                position += got;
                if (got < len * Float.BYTES) {
                    throw fail(source, Reason.TRUNCATED, "truncated: payload ends inside tensor '" + d.name()
                            + "' after " + position + " of " + total + " bytes");
                }
                digest.update(chunk, 0, got);
                floats.get(0, data, done, len);
                done += len;
            }
            tensors.put(d.name(), Tensor.wrap(data, d.shape()));
        }

        byte[] trailer = in.readNBytes(TRAILER_BYTES);
        if (trailer.length < TRAILER_BYTES) {
            throw fail(source, Reason.TRUNCATED, "truncated: checksum trailer has " + trailer.length + " of "
                    + TRAILER_BYTES + " bytes");
        }
        byte[] actual = digest.digest();
        if (!MessageDigest.isEqual(actual, trailer)) {
            throw fail(source, Reason.CHECKSUM_MISMATCH, "SHA-256 checksum mismatch, the file is corrupt: stored "
                    + HexFormat.of().formatHex(trailer) + ", computed " + HexFormat.of().formatHex(actual));
        }
        if (in.read() != -1) {
            throw fail(source, Reason.TRAILING_DATA, "unexpected bytes after the checksum trailer at byte " + total);
        }
        for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
            try {
                CheckpointFormat.requireFinite(e.getKey(), e.getValue());
            } catch (CheckpointException ex) {
                throw fail(source, ex.reason(), ex.getMessage());
            }
        }
        Map<String, String> metadata = new LinkedHashMap<>();
        root.path("metadata").properties().forEach(f -> metadata.put(f.getKey(), f.getValue().asText()));
        Checkpoint c = new Checkpoint((int) version, root.get("architecture"), metadata, tensors);
        LOG.debug("read {}: {} tensors, {} parameters, {} bytes", source, tensors.size(), elements, total);
        return c;
    }

    private JsonNode parseHeader(byte[] header, String source) throws CheckpointException {
        JsonNode root;
        try {
            root = CheckpointFormat.JSON.readTree(header);
        } catch (JsonProcessingException e) {
            throw fail(source, Reason.MALFORMED_HEADER, "header is not valid JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new UncheckedIOException("parsing from memory cannot fail", e);
        }
        if (root == null || !root.isObject()) {
            throw fail(source, Reason.MALFORMED_HEADER, "header is not a JSON object");
        }
        JsonNode arch = root.get("architecture");
        if (arch == null || arch.isNull()) {
            throw fail(source, Reason.MALFORMED_HEADER, "header has no \"architecture\"");
        }
        JsonNode meta = root.get("metadata");
        if (meta != null) {
            if (!meta.isObject()) {
                throw fail(source, Reason.MALFORMED_HEADER, "header \"metadata\" is not a JSON object");
            }
            for (Map.Entry<String, JsonNode> f : meta.properties()) {
                if (!f.getValue().isTextual()) {
                    throw fail(source, Reason.MALFORMED_HEADER, "metadata \"" + f.getKey() + "\" is not a string");
                }
            }
        }
        return root;
    }

    private List<Declared> declaredTensors(JsonNode list, String source) throws CheckpointException {
        if (list == null || !list.isArray()) {
            throw fail(source, Reason.MALFORMED_HEADER, "header has no \"tensors\" array");
        }
        if (list.size() > limits.maxTensors()) {
            throw fail(source, Reason.TOO_LARGE, "header declares " + list.size()
                    + " tensors, above the limit of " + limits.maxTensors());
        }
        List<Declared> out = new ArrayList<>(list.size());
        Map<String, Boolean> seen = new LinkedHashMap<>();
        long total = 0;
        for (int i = 0; i < list.size(); i++) {
            JsonNode entry = list.get(i);
            JsonNode name = entry.get("name");
            JsonNode shape = entry.get("shape");
            if (name == null || !name.isTextual() || name.asText().isEmpty() || shape == null || !shape.isArray()) {
                throw fail(source, Reason.MALFORMED_HEADER, "tensor #" + i + " needs a non-empty \"name\" and a "
                        + "\"shape\" array: " + entry);
            }
            if (seen.put(name.asText(), Boolean.TRUE) != null) {
                throw fail(source, Reason.MALFORMED_HEADER, "tensor name '" + name.asText() + "' appears twice");
            }
            int[] dims = new int[shape.size()];
            long count = 1;
            for (int a = 0; a < dims.length; a++) {
                JsonNode d = shape.get(a);
                if (!d.isIntegralNumber() || !d.canConvertToInt() || d.intValue() < 0) {
                    throw fail(source, Reason.MALFORMED_HEADER, "tensor '" + name.asText() + "' has invalid shape "
                            + shape);
                }
                dims[a] = d.intValue();
                // Saturating product: a hostile shape must not overflow into a small count.
                count = dims[a] != 0 && count > Long.MAX_VALUE / dims[a] ? Long.MAX_VALUE : count * dims[a];
            }
            if (count > Integer.MAX_VALUE) {
                throw fail(source, Reason.TOO_LARGE, "tensor '" + name.asText() + "' " + shape
                        + " has more elements than one tensor can hold (" + Integer.MAX_VALUE + ")");
            }
            total += count;
            if (total > limits.maxParameters()) {
                throw fail(source, Reason.TOO_LARGE, "header declares more than the limit of "
                        + limits.maxParameters() + " parameters (exceeded at tensor '" + name.asText() + "')");
            }
            out.add(new Declared(name.asText(), dims, (int) count));
        }
        return out;
    }

    private static CheckpointException fail(String source, Reason reason, String message) {
        return new CheckpointException(reason, source + ": " + message);
    }
}
