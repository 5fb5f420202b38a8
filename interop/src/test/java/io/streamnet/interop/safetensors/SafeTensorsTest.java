package io.streamnet.interop.safetensors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The safetensors reader and writer: what it reads back, and every malformed file it refuses. */
class SafeTensorsTest {
    @TempDir
    Path dir;

    @Test
    void writeThenReadGivesTheSameTensorsAndMetadata() throws Exception {
        Map<String, SafeTensors.Tensor> t = new LinkedHashMap<>();
        t.put("a.weight", new SafeTensors.Tensor(DType.F32, new int[] {2, 3}, new float[] {1, -2, 3.5f, 0, 1e-30f, 7}));
        t.put("a.bias", new SafeTensors.Tensor(DType.F32, new int[] {3}, new float[] {0.25f, -0f, 9}));
        t.put("scalar", new SafeTensors.Tensor(DType.F32, new int[] {}, new float[] {42}));
        Path f = dir.resolve("m.safetensors");
        SafeTensors.write(f, t, Map.of("by", "test"));
        SafeTensors.Contents c = SafeTensors.read(f, SafeTensors.Limits.DEFAULTS);
        assertThat(c.tensors().keySet()).containsExactly("a.weight", "a.bias", "scalar");
        assertThat(c.tensors().get("a.weight").shape()).containsExactly(2, 3);
        assertThat(c.tensors().get("a.weight").values()).containsExactly(1, -2, 3.5f, 0, 1e-30f, 7);
        assertThat(c.tensors().get("scalar").values()).containsExactly(42);
        assertThat(c.metadata()).containsEntry("by", "test");
        assertThat((Files.size(f) - 8 - 4 * 10) % 8).as("the header is padded to 8 bytes").isZero();
    }

    @Test
    void halfAndBfloat16ConvertExactly() throws Exception {
        // f16: 1, -2, 65504 (largest), 2^-24 (smallest subnormal), infinity; bf16: 1, -2.5, 2^-126
        Path f = file("{\"h\":{\"dtype\":\"F16\",\"shape\":[5],\"data_offsets\":[0,10]},"
                + "\"b\":{\"dtype\":\"BF16\",\"shape\":[3],\"data_offsets\":[10,16]}}",
                le16(0x3C00, 0xC000, 0x7BFF, 0x0001, 0x7C00, 0x3F80, 0xC020, 0x0080));
        SafeTensors.Contents c = SafeTensors.read(f, SafeTensors.Limits.DEFAULTS);
        assertThat(c.tensors().get("h").values()).containsExactly(1f, -2f, 65504f, 0x1p-24f, Float.POSITIVE_INFINITY);
        assertThat(c.tensors().get("b").values()).containsExactly(1f, -2.5f, 0x1p-126f);
        assertThat(HalfFloats.fromHalf((short) 0x7E00)).isNaN();
    }

    @Test
    void anUnsupportedDtypeIsRefusedByName() throws Exception {
        Path f = file("{\"ids\":{\"dtype\":\"F64\",\"shape\":[1],\"data_offsets\":[0,8]}}", new byte[8]);
        assertThatThrownBy(() -> SafeTensors.read(f, SafeTensors.Limits.DEFAULTS))
                .isInstanceOf(SafeTensorsException.class).hasMessageContaining("ids").hasMessageContaining("F64");
    }

    @Test
    void aBatchNormsInt64CounterIsReadBesideTheWeights() throws Exception {
        byte[] seven = {7, 0, 0, 0, 0, 0, 0, 0};
        Path f = file("{\"bn.num_batches_tracked\":{\"dtype\":\"I64\",\"shape\":[],\"data_offsets\":[0,8]}}", seven);
        assertThat(SafeTensors.read(f, SafeTensors.Limits.DEFAULTS).tensors().get("bn.num_batches_tracked").values())
                .containsExactly(7f);
    }

    @Test
    void offsetsThatDoNotMatchTheShapeAreRefused() throws Exception {
        Path f = file("{\"w\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,8]}}", new byte[8]);
        assertThatThrownBy(() -> SafeTensors.read(f, SafeTensors.Limits.DEFAULTS))
                .isInstanceOf(SafeTensorsException.class).hasMessageContaining("needs 12 bytes");
    }

    @Test
    void overlappingTensorsAreRefused() throws Exception {
        Path f = file("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                + "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}", new byte[12]);
        assertThatThrownBy(() -> SafeTensors.read(f, SafeTensors.Limits.DEFAULTS))
                .isInstanceOf(SafeTensorsException.class).hasMessageContaining("overlap");
    }

    @Test
    void offsetsPastTheEndOfTheFileAreRefused() throws Exception {
        Path f = file("{\"a\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]}}", new byte[8]);
        assertThatThrownBy(() -> SafeTensors.read(f, SafeTensors.Limits.DEFAULTS))
                .isInstanceOf(SafeTensorsException.class).hasMessageContaining("outside");
    }

    @Test
    void aHeaderLengthLargerThanTheFileIsRefusedBeforeAllocating() throws Exception {
        Path f = dir.resolve("bad.safetensors");
        Files.write(f, ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(0, Long.MAX_VALUE / 2).array());
        assertThatThrownBy(() -> SafeTensors.read(f, SafeTensors.Limits.DEFAULTS))
                .isInstanceOf(SafeTensorsException.class).hasMessageContaining("header length");
    }

    @Test
    void aFileOverTheSizeLimitIsRefusedBeforeItIsRead() throws Exception {
        Path f = file("{\"a\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]}}", new byte[16]);
        assertThatThrownBy(() -> SafeTensors.read(f, new SafeTensors.Limits(32, 1 << 20, 1 << 20)))
                .isInstanceOf(SafeTensorsException.class).hasMessageContaining("over the limit");
    }

    @Test
    void aTensorOverTheElementLimitIsRefusedBeforeItIsRead() throws Exception {
        Path f = file("{\"a\":{\"dtype\":\"F32\",\"shape\":[100000,100000],\"data_offsets\":[0,16]}}", new byte[16]);
        assertThatThrownBy(() -> SafeTensors.read(f, SafeTensors.Limits.DEFAULTS))
                .isInstanceOf(SafeTensorsException.class).hasMessageContaining("over the limit");
    }

    @Test
    void aHeaderThatIsNotJsonIsRefused() throws Exception {
        Path f = file("{\"a\": [", new byte[0]);
        assertThatThrownBy(() -> SafeTensors.read(f, SafeTensors.Limits.DEFAULTS))
                .isInstanceOf(SafeTensorsException.class).hasMessageContaining("not JSON");
    }

    private Path file(String header, byte[] data) throws Exception {
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + h.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(h.length).put(h).put(data);
        Path f = dir.resolve("t" + System.nanoTime() + ".safetensors");
        Files.write(f, b.array());
        return f;
    }

    private static byte[] le16(int... v) {
        ByteBuffer b = ByteBuffer.allocate(2 * v.length).order(ByteOrder.LITTLE_ENDIAN);
        for (int x : v) {
            b.putShort((short) x);
        }
        return b.array();
    }
}
