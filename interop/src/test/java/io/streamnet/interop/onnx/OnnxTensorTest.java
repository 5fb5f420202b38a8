package io.streamnet.interop.onnx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import io.streamnet.interop.ImportException;
import io.streamnet.interop.onnx.proto.OnnxSubset.TensorProto;
import io.streamnet.interop.onnx.proto.OnnxSubset.TensorProto.DataType;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.junit.jupiter.api.Test;

/** ONNX tensors to float32 weights and int64 indices, from raw little-endian bytes or the typed fields. */
class OnnxTensorTest {
    @Test
    void float16AndBfloat16RawDataConvertExactly() throws Exception {
        // 1.0, -2.0, 65504 (largest half), 2^-24 (smallest subnormal)
        OnnxTensor half = OnnxTensor.of(raw(DataType.FLOAT16, 2, 0x3C00, 0xC000, 0x7BFF, 0x0001), 100);
        assertThat(half.floats()).containsExactly(1f, -2f, 65504f, 0x1p-24f);
        // bfloat16 is float32's top half: 1.0, -2.5
        OnnxTensor bf = OnnxTensor.of(raw(DataType.BFLOAT16, 2, 0x3F80, 0xC020), 100);
        assertThat(bf.floats()).containsExactly(1f, -2.5f);
    }

    @Test
    void float16InTheInt32FieldConvertsAsItsBitPattern() throws Exception {
        TensorProto t = TensorProto.newBuilder().setName("h").addDims(2).setDataType(DataType.FLOAT16_VALUE)
                .addInt32Data(0x3C00).addInt32Data(0xB800).build();
        assertThat(OnnxTensor.of(t, 100).floats()).containsExactly(1f, -0.5f);
    }

    @Test
    void doublesAndTypedFloatsAndInt64IndicesAreRead() throws Exception {
        TensorProto d = TensorProto.newBuilder().setName("d").addDims(2).setDataType(DataType.DOUBLE_VALUE)
                .addDoubleData(0.25).addDoubleData(-1e10).build();
        assertThat(OnnxTensor.of(d, 100).floats()).containsExactly(0.25f, -1e10f);
        TensorProto f = TensorProto.newBuilder().setName("f").addDims(1).addDims(2).setDataType(DataType.FLOAT_VALUE)
                .addFloatData(3f).addFloatData(4f).build();
        assertThat(OnnxTensor.of(f, 100).dims()).containsExactly(1, 2);
        ByteBuffer b = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(-1).putLong(1L << 40);
        TensorProto i = TensorProto.newBuilder().setName("i").addDims(2).setDataType(DataType.INT64_VALUE)
                .setRawData(ByteString.copyFrom(b.array())).build();
        assertThat(OnnxTensor.of(i, 100).ints()).containsExactly(-1L, 1L << 40);
    }

    @Test
    void rawDataOfTheWrongLengthIsRefused() {
        TensorProto t = TensorProto.newBuilder().setName("w").addDims(3).setDataType(DataType.FLOAT_VALUE)
                .setRawData(ByteString.copyFrom(new byte[8])).build();
        assertThatThrownBy(() -> OnnxTensor.of(t, 100)).isInstanceOf(ImportException.class)
                .hasMessageContaining("'w'").hasMessageContaining("8 bytes");
    }

    @Test
    void anUnsupportedElementTypeIsRefusedByName() {
        TensorProto t = TensorProto.newBuilder().setName("s").addDims(1).setDataType(DataType.STRING_VALUE).build();
        assertThatThrownBy(() -> OnnxTensor.of(t, 100)).isInstanceOf(ImportException.class).hasMessageContaining("STRING");
    }

    private static TensorProto raw(DataType type, int width, int... patterns) {
        ByteBuffer b = ByteBuffer.allocate(patterns.length * width).order(ByteOrder.LITTLE_ENDIAN);
        for (int p : patterns) {
            b.putShort((short) p);
        }
        return TensorProto.newBuilder().setName("t").addDims(patterns.length).setDataType(type.getNumber())
                .setRawData(ByteString.copyFrom(b.array())).build();
    }
}
