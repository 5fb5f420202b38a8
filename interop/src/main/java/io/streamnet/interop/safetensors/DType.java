package io.streamnet.interop.safetensors;

/**
 * The element types the importer converts to float32 (safetensors' names). Anything else in a file
 * (integers, float64, float8) is refused by name.
 */
public enum DType {
    F32(4), F16(2), BF16(2);

    private final int bytes;

    DType(int bytes) {
        this.bytes = bytes;
    }

    public int bytes() {
        return bytes;
    }

    /** The dtype named {@code name} in a safetensors header. */
    static DType parse(String name, String tensor) throws SafeTensorsException {
        for (DType d : values()) {
            if (d.name().equals(name)) {
                return d;
            }
        }
        throw new SafeTensorsException("tensor '" + tensor + "' has dtype " + name
                + ": only F32, F16 and BF16 convert to float32");
    }

    /** Element {@code i} of little-endian {@code raw} (from {@code offset}) as a float. */
    float read(byte[] raw, int offset, int i) {
        return switch (this) {
            case F32 -> Float.intBitsToFloat(le32(raw, offset + 4 * i));
            case F16 -> HalfFloats.fromHalf((short) le16(raw, offset + 2 * i));
            case BF16 -> Float.intBitsToFloat(le16(raw, offset + 2 * i) << 16);
        };
    }

    private static int le16(byte[] b, int o) {
        return (b[o] & 0xff) | (b[o + 1] & 0xff) << 8;
    }

    private static int le32(byte[] b, int o) {
        return (b[o] & 0xff) | (b[o + 1] & 0xff) << 8 | (b[o + 2] & 0xff) << 16 | (b[o + 3] & 0xff) << 24;
    }
}
