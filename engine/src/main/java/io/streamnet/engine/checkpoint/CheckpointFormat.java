package io.streamnet.engine.checkpoint;

import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.streamnet.engine.tensor.Tensor;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;

/**
 * The checkpoint file layout, format version 1. All integers are little-endian.
 *
 * <pre>
 * offset      size  field
 * 0           8     magic, ASCII "STRMCKPT"
 * 8           4     format version, u32 (1)
 * 12          4     header length H in bytes, u32
 * 16          8     payload length P in bytes, u64 (4 x the total element count)
 * 24          H     header, UTF-8 JSON:
 *                     {"architecture": any JSON (layers/models write it),
 *                      "metadata": {string: string, ...},
 *                      "tensors": [{"name": "w1", "shape": [784, 128]}, ...]}
 * 24+H        P     payload: each tensor's elements as float32, row-major, in header order
 * 24+H+P      32    SHA-256 of bytes [0, 24+H+P): preamble, header and payload
 * end                nothing may follow
 * </pre>
 *
 * <p>SHA-256 rather than CRC32: checkpoints travel through Kafka and disks of other machines, and a
 * 32-bit check lets one corrupt model in four billion through; hashing costs far less than the
 * training that made the weights. The payload length sits in the preamble so a reader knows the
 * file's full size before it allocates, and can tell a truncated file from a header whose shapes
 * disagree with its payload. The reader streams, so it parses the header before the checksum is
 * known: a corrupted header may be reported as {@code MALFORMED_HEADER} or {@code SHAPE_MISMATCH}
 * rather than {@code CHECKSUM_MISMATCH}; either way it is rejected.
 */
public final class CheckpointFormat {
    public static final int VERSION = 1;
    static final byte[] MAGIC = "STRMCKPT".getBytes(StandardCharsets.US_ASCII);
    static final int PREAMBLE_BYTES = 24;
    static final int TRAILER_BYTES = 32;
    /** Bulk float I/O goes through one buffer of this size; big tensors never go float by float. */
    static final int CHUNK_BYTES = 1 << 16;

    /** Strict JSON: duplicate keys or trailing tokens in a header are malformed, not silently merged. */
    static final JsonMapper JSON = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    private CheckpointFormat() {
    }

    static MessageDigest newDigest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform must provide SHA-256", e);
        }
    }

    /** Rejects NaN/Inf, naming the tensor and the first bad element: a diverged model must not serve. */
    static void requireFinite(String name, Tensor t) throws CheckpointException {
        float[] d = t.data();
        for (int i = 0, base = t.offset(), n = t.size(); i < n; i++) {
            float v = d[base + i];
            if (!Float.isFinite(v)) {
                throw new CheckpointException(CheckpointException.Reason.NON_FINITE_WEIGHTS, "tensor '" + name
                        + "' " + t.shapeString() + " has non-finite weight " + v + " at index "
                        + Arrays.toString(unravel(t.shape(), i)) + " (flat index " + i + ")");
            }
        }
    }

    private static int[] unravel(int[] shape, int flat) {
        int[] index = new int[shape.length];
        for (int axis = shape.length - 1; axis >= 0; axis--) {
            index[axis] = flat % shape[axis];
            flat /= shape[axis];
        }
        return index;
    }
}
