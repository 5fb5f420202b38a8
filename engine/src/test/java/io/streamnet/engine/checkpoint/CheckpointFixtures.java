package io.streamnet.engine.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.streamnet.engine.checkpoint.CheckpointException.Reason;
import io.streamnet.engine.tensor.Tensor;
import java.io.ByteArrayOutputStream;
import java.io.FilterInputStream;
import java.io.InputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;

/** Checkpoints and byte surgery shared by the checkpoint tests. */
final class CheckpointFixtures {
    static final ObjectMapper JSON = new ObjectMapper();

    private CheckpointFixtures() {
    }

    static JsonNode architecture() {
        try {
            return JSON.readTree("{\"type\":\"mlp\",\"layers\":[{\"type\":\"dense\",\"in\":3,\"out\":2,"
                    + "\"activation\":\"tanh\"}]}");
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    /** A dense layer: w [2, 3] holding -1.0, -0.5, ... 1.5 and b [2]; small enough to cut at every byte. */
    static Checkpoint small() {
        float[] w = new float[6];
        for (int i = 0; i < w.length; i++) {
            w[i] = 0.5f * i - 1f;
        }
        return Checkpoint.builder(architecture())
                .metadata("model", "sentiment").metadata("version", "7").metadata("loss", "0.25")
                .tensor("w", Tensor.wrap(w, 2, 3))
                .tensor("b", Tensor.of(0.125f, -3e-7f))
                .build();
    }

    static byte[] smallBytes() throws CheckpointException {
        return Checkpoints.toBytes(small());
    }

    static int headerLength(byte[] file) {
        return ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN).getInt(12);
    }

    static int payloadOffset(byte[] file) {
        return 24 + headerLength(file);
    }

    static void putFloat(byte[] file, int byteOffset, float value) {
        ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN).putFloat(byteOffset, value);
    }

    /** Recomputes the SHA-256 trailer, so a test reaches the checks that come after the checksum. */
    static byte[] reseal(byte[] file) {
        MessageDigest sha = sha256();
        sha.update(file, 0, file.length - 32);
        System.arraycopy(sha.digest(), 0, file, file.length - 32, 32);
        return file;
    }

    /** A well-sealed file with any header and payload, to test what the writer would never produce. */
    static byte[] assemble(int version, String headerJson, float... payload) {
        byte[] header = headerJson.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(24 + header.length + payload.length * 4 + 32).order(ByteOrder.LITTLE_ENDIAN);
        b.put("STRMCKPT".getBytes(StandardCharsets.US_ASCII)).putInt(version).putInt(header.length)
                .putLong(payload.length * 4L).put(header);
        for (float f : payload) {
            b.putFloat(f);
        }
        return reseal(b.array());
    }

    static byte[] concat(byte[] a, byte[] b) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(a);
        out.writeBytes(b);
        return out.toByteArray();
    }

    /** Asserts the call is rejected for {@code reason} with a message naming the problem. */
    static CheckpointException rejected(ThrowingCallable call, Reason reason, String... words) {
        CheckpointException e = catchThrowableOfType(CheckpointException.class, call);
        assertThat(e).as("expected a CheckpointException with reason %s", reason).isNotNull();
        assertThat(e.reason()).as(e.getMessage()).isEqualTo(reason);
        assertThat(e.getMessage()).contains(words);
        return e;
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }

    /** Counts bytes handed out, to prove what a reader did not read. */
    static final class CountingInputStream extends FilterInputStream {
        long count;

        CountingInputStream(InputStream in) {
            super(in);
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            count += b < 0 ? 0 : 1;
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = super.read(b, off, len);
            count += Math.max(n, 0);
            return n;
        }
    }
}
