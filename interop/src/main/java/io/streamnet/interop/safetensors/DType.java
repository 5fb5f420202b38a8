package io.streamnet.interop.safetensors;

/**
 * The element types the importer converts to float32 (safetensors' names). I64 is read for the
 * counters a state_dict carries beside its weights (BatchNorm2d's {@code num_batches_tracked}),
 * which no importer uses as a weight. Anything else in a file (float64, float8, other integers) is
 * refused by name.
 */
public enum DType {
    F32(4), F16(2), BF16(2), I64(8);

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
                + ": only F32, F16 and BF16 convert to float32 (and I64 counters)");
    }

    /** Element {@code i} of little-endian {@code raw} (from {@code offset}) as a float. */
    float read(byte[] raw, int offset, int i) {
        return switch (this) {
            case F32 -> Float.intBitsToFloat(le32(raw, offset + 4 * i));
            case F16 -> HalfFloats.fromHalf((short) le16(raw, offset + 2 * i));
            case BF16 -> Float.intBitsToFloat(le16(raw, offset + 2 * i) << 16);
            case I64 -> (float) ((le32(raw, offset + 8 * i) & 0xffffffffL) | (long) le32(raw, offset + 8 * i + 4) << 32);
        };
    }

    private static int le16(byte[] b, int o) {
        return (b[o] & 0xff) | (b[o + 1] & 0xff) << 8;
    }

    private static int le32(byte[] b, int o) {
        return (b[o] & 0xff) | (b[o + 1] & 0xff) << 8 | (b[o + 2] & 0xff) << 16 | (b[o + 3] & 0xff) << 24;
    }
}
