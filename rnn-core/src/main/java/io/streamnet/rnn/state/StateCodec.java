package io.streamnet.rnn.state;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Compact bytes for a key's state: version (1 byte), layout fingerprint (4), float count (4), then
 * little-endian floats. Decoding checks the fingerprint, so a state written under another model
 * shape is refused (callers reset it) rather than misread.
 */
public final class StateCodec {
    public static final byte VERSION = 1;
    private static final int HEADER = 9;

    private StateCodec() {
    }

    public static byte[] encode(RnnState state) {
        float[] v = state.values();
        ByteBuffer buf = ByteBuffer.allocate(HEADER + 4 * v.length).order(ByteOrder.LITTLE_ENDIAN);
        buf.put(VERSION).putInt(state.layout().fingerprint()).putInt(v.length);
        buf.asFloatBuffer().put(v);
        return buf.array();
    }

    /** Decodes a state for {@code expected}; throws {@link IncompatibleStateException} if it was written for another. */
    public static RnnState decode(byte[] bytes, StateLayout expected) {
        if (bytes.length < HEADER) {
            throw new IncompatibleStateException("state of " + bytes.length + " bytes is shorter than its header");
        }
        ByteBuffer buf = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        byte version = buf.get();
        if (version != VERSION) {
            throw new IncompatibleStateException("state encoding version " + version + ", expected " + VERSION);
        }
        int fingerprint = buf.getInt();
        int n = buf.getInt();
        if (fingerprint != expected.fingerprint() || n != expected.size()) {
            throw new IncompatibleStateException("state was written for another model shape (fingerprint "
                    + Integer.toHexString(fingerprint) + ", " + n + " floats); current layout " + expected + " has "
                    + Integer.toHexString(expected.fingerprint()) + ", " + expected.size() + " floats");
        }
        if (buf.remaining() != 4 * n) {
            throw new IncompatibleStateException("state declares " + n + " floats but holds " + buf.remaining() + " bytes");
        }
        float[] v = new float[n];
        buf.asFloatBuffer().get(v);
        return new RnnState(expected, v);
    }

    /** Thrown when encoded state does not belong to the current model's layout. */
    public static final class IncompatibleStateException extends IllegalArgumentException {
        public IncompatibleStateException(String message) {
            super(message);
        }
    }
}
