package io.streamnet.interop.safetensors;

/** IEEE 754 binary16 to float32 (Java 17 has no Float.float16ToFloat): exact, subnormals and NaN included. */
public final class HalfFloats {
    private HalfFloats() {
    }

    public static float fromHalf(short h) {
        int sign = (h & 0x8000) << 16;
        int exp = (h >>> 10) & 0x1f;
        int mant = h & 0x3ff;
        if (exp == 0x1f) { // infinity or NaN: keep the payload's top bits
            return Float.intBitsToFloat(sign | 0x7f800000 | mant << 13);
        }
        if (exp == 0) {
            // zero or subnormal: mant * 2^-24, exact in float32
            float v = mant * 0x1p-24f;
            return sign == 0 ? v : -v;
        }
        return Float.intBitsToFloat(sign | (exp - 15 + 127) << 23 | mant << 13);
    }
}
