package io.streamnet.interop.onnx;

import com.google.protobuf.ByteString;
import io.streamnet.interop.ImportException;
import io.streamnet.interop.onnx.proto.OnnxSubset.TensorProto;
import io.streamnet.interop.onnx.proto.OnnxSubset.TensorProto.DataType;
import io.streamnet.interop.safetensors.DType;
import io.streamnet.interop.safetensors.HalfFloats;
import io.streamnet.interop.safetensors.SafeTensors;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * A constant of an ONNX graph (an initializer or a {@code Constant} node's value): weights as
 * float32 (from FLOAT, FLOAT16, BFLOAT16 or DOUBLE), indices and axes as int64 (from INT64 or
 * INT32), either in the typed fields or little-endian in {@code raw_data}. The element count is
 * checked against the limit before any array is allocated; external data is refused.
 */
record OnnxTensor(String name, int[] dims, float[] floats, long[] ints) {
    /** More dimensions than any layer reads (ONNX tensors of weights have at most 5). */
    static final int MAX_RANK = 8;

    boolean isFloat() {
        return floats != null;
    }

    int rank() {
        return dims.length;
    }

    long size() {
        long n = 1;
        for (int d : dims) {
            n *= d;
        }
        return n;
    }

    String shapeString() {
        return Arrays.toString(dims);
    }

    /** As a safetensors tensor (float32), for the importers that share PyTorch's layouts. */
    SafeTensors.Tensor toTensor(String what) throws ImportException {
        if (floats == null) {
            throw new ImportException(what + " '" + name + "' holds integers, not weights");
        }
        return new SafeTensors.Tensor(DType.F32, dims.clone(), floats);
    }

    /** A scalar or one-element integer constant (an index, an axis). */
    long scalar(String what) throws ImportException {
        if (ints == null || ints.length != 1) {
            throw new ImportException(what + " '" + name + "' should be one integer, is " + shapeString());
        }
        return ints[0];
    }

    static OnnxTensor of(TensorProto t, long maxElements) throws ImportException {
        String name = t.getName();
        if (t.getDataLocation() == TensorProto.DataLocation.EXTERNAL || t.getExternalDataCount() > 0) {
            throw new ImportException("tensor '" + name + "' keeps its data in an external file: export with the "
                    + "weights inside the .onnx file (under 2 GB)");
        }
        int count = (int) elements(t, maxElements);
        int[] dims = new int[t.getDimsCount()];
        for (int i = 0; i < dims.length; i++) {
            dims[i] = (int) t.getDims(i);
        }
        ByteString raw = t.hasRawData() ? t.getRawData() : null;
        DataType type = DataType.forNumber(t.getDataType());
        if (type == null) {
            throw new ImportException("tensor '" + name + "' has unknown data_type " + t.getDataType());
        }
        switch (type) {
            case FLOAT, FLOAT16, BFLOAT16, DOUBLE -> {
                return new OnnxTensor(name, dims, floats(t, type, raw, count), null);
            }
            case INT64, INT32 -> {
                return new OnnxTensor(name, dims, null, ints(t, type, raw, count));
            }
            default -> throw new ImportException("tensor '" + name + "' is " + type
                    + ": only FLOAT, FLOAT16, BFLOAT16, DOUBLE weights and INT64, INT32 indices are read");
        }
    }

    /**
     * The element count {@code t}'s dimensions declare, refused over {@code maxElements} (or what
     * one Java array holds), the product saturating instead of overflowing.
     */
    static long elements(TensorProto t, long maxElements) throws ImportException {
        if (t.getDimsCount() > MAX_RANK) {
            throw new ImportException("tensor '" + t.getName() + "' has " + t.getDimsCount() + " dimensions, over "
                    + MAX_RANK);
        }
        long n = 1;
        for (int i = 0; i < t.getDimsCount(); i++) {
            long d = t.getDims(i);
            if (d < 0 || d > Integer.MAX_VALUE) {
                throw new ImportException("tensor '" + t.getName() + "' has dimension " + d);
            }
            n = d == 0 || n <= Long.MAX_VALUE / d ? n * d : Long.MAX_VALUE;
            if (n > Math.min(maxElements, Integer.MAX_VALUE - 8)) {
                throw new ImportException("tensor '" + t.getName() + "' has over " + maxElements + " elements (the limit)");
            }
        }
        return n;
    }

    private static float[] floats(TensorProto t, DataType type, ByteString raw, int n) throws ImportException {
        if (raw != null) {
            int width = switch (type) {
                case FLOAT -> 4;
                case DOUBLE -> 8;
                default -> 2;
            };
            // the data must be in the file before an array of the declared size is allocated
            ByteBuffer b = bytes(t, raw, n, width);
            float[] v = new float[n];
            for (int i = 0; i < n; i++) {
                v[i] = switch (type) {
                    case FLOAT -> b.getFloat();
                    case DOUBLE -> (float) b.getDouble();
                    case FLOAT16 -> HalfFloats.fromHalf(b.getShort());
                    default -> Float.intBitsToFloat((b.getShort() & 0xffff) << 16);
                };
            }
            return v;
        }
        int have = switch (type) {
            case FLOAT -> t.getFloatDataCount();
            case DOUBLE -> t.getDoubleDataCount();
            default -> t.getInt32DataCount(); // FLOAT16 and BFLOAT16: one 16-bit pattern per int32
        };
        if (have != n) {
            throw new ImportException("tensor '" + t.getName() + "' " + Arrays.toString(t.getDimsList().toArray())
                    + " holds " + have + " values, not " + n);
        }
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = switch (type) {
                case FLOAT -> t.getFloatData(i);
                case DOUBLE -> (float) t.getDoubleData(i);
                case FLOAT16 -> HalfFloats.fromHalf((short) t.getInt32Data(i));
                default -> Float.intBitsToFloat((t.getInt32Data(i) & 0xffff) << 16);
            };
        }
        return v;
    }

    private static long[] ints(TensorProto t, DataType type, ByteString raw, int n) throws ImportException {
        if (raw != null) {
            ByteBuffer b = bytes(t, raw, n, type == DataType.INT64 ? 8 : 4);
            long[] v = new long[n];
            for (int i = 0; i < n; i++) {
                v[i] = type == DataType.INT64 ? b.getLong() : b.getInt();
            }
            return v;
        }
        int have = type == DataType.INT64 ? t.getInt64DataCount() : t.getInt32DataCount();
        if (have != n) {
            throw new ImportException("tensor '" + t.getName() + "' holds " + have + " values, not " + n);
        }
        long[] v = new long[n];
        for (int i = 0; i < n; i++) {
            v[i] = type == DataType.INT64 ? t.getInt64Data(i) : t.getInt32Data(i);
        }
        return v;
    }

    private static ByteBuffer bytes(TensorProto t, ByteString raw, int n, int width) throws ImportException {
        if (raw.size() != (long) n * width) {
            throw new ImportException("tensor '" + t.getName() + "' has " + raw.size() + " bytes of raw_data, not "
                    + (long) n * width);
        }
        return raw.asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
    }
}
