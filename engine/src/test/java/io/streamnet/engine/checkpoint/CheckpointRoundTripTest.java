package io.streamnet.engine.checkpoint;

import static io.streamnet.engine.checkpoint.CheckpointFixtures.architecture;
import static io.streamnet.engine.checkpoint.CheckpointFixtures.small;
import static io.streamnet.engine.checkpoint.CheckpointFixtures.smallBytes;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.streamnet.engine.checkpoint.CheckpointException.Reason;
import io.streamnet.engine.tensor.Tensor;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CheckpointRoundTripTest {

    @Test
    void roundTripPreservesArchitectureMetadataAndWeights() throws Exception {
        Checkpoint original = small();

        Checkpoint loaded = Checkpoints.fromBytes(Checkpoints.toBytes(original));

        assertThat(loaded.formatVersion()).isEqualTo(CheckpointFormat.VERSION);
        assertThat(loaded.architecture()).isEqualTo(architecture());
        assertThat(loaded.metadata()).containsExactly(Map.entry("model", "sentiment"), Map.entry("version", "7"),
                Map.entry("loss", "0.25"));
        assertThat(loaded.tensors().keySet()).containsExactly("w", "b");
        assertThat(loaded.tensors().get("w").shape()).containsExactly(2, 3);
        assertThat(loaded.tensors().get("w").toArray()).containsExactly(original.tensors().get("w").toArray());
        assertThat(loaded.tensors().get("b").toArray()).containsExactly(0.125f, -3e-7f);
    }

    @Test
    void roundTripPreservesTensorOrder() throws Exception {
        Checkpoint.Builder b = Checkpoint.builder(architecture());
        String[] names = {"z", "layer10/w", "a", "layer2/w", "m"};
        for (String n : names) {
            b.tensor(n, Tensor.of(n.length()));
        }

        Checkpoint loaded = Checkpoints.fromBytes(Checkpoints.toBytes(b.build()));

        assertThat(loaded.tensors().keySet()).containsExactly(names);
    }

    @Test
    void largeTensorRoundTripsAcrossChunkBoundariesBitForBit() throws Exception {
        float[] w = new float[7 * 7023]; // three 64 KiB chunks (16384 floats each) plus a partial one
        for (int i = 0; i < w.length; i++) {
            w[i] = (float) Math.sin(i) * 1e3f;
        }
        w[0] = -0.0f;
        w[1] = Float.MIN_VALUE;
        w[2] = Float.MAX_VALUE;
        w[3] = -Float.MAX_VALUE;
        Checkpoint c = Checkpoint.builder(architecture()).tensor("big", Tensor.wrap(w, 7, w.length / 7)).build();

        Checkpoint loaded = Checkpoints.fromBytes(Checkpoints.toBytes(c));

        float[] back = loaded.tensors().get("big").toArray();
        for (int i = 0; i < w.length; i++) {
            assertThat(Float.floatToRawIntBits(back[i])).as("element %d", i).isEqualTo(Float.floatToRawIntBits(w[i]));
        }
    }

    @Test
    void tensorViewsAreWrittenWithTheirOwnElementsOnly() throws Exception {
        Tensor whole = Tensor.wrap(new float[] {1, 2, 3, 4, 5, 6}, 3, 2);
        Checkpoint c = Checkpoint.builder(architecture()).tensor("rows1to2", whole.slice(1, 3)).build();

        Checkpoint loaded = Checkpoints.fromBytes(Checkpoints.toBytes(c));

        assertThat(loaded.tensors().get("rows1to2").shape()).containsExactly(2, 2);
        assertThat(loaded.tensors().get("rows1to2").toArray()).containsExactly(3, 4, 5, 6);
    }

    @Test
    void emptyAndScalarTensorsRoundTrip() throws Exception {
        Checkpoint c = Checkpoint.builder(architecture())
                .tensor("empty", Tensor.zeros(0, 3))
                .tensor("scalar", Tensor.wrap(new float[] {42f}))
                .build();

        Checkpoint loaded = Checkpoints.fromBytes(Checkpoints.toBytes(c));

        assertThat(loaded.tensors().get("empty").shape()).containsExactly(0, 3);
        assertThat(loaded.tensors().get("scalar").shape()).isEmpty();
        assertThat(loaded.tensors().get("scalar").toArray()).containsExactly(42f);
    }

    @Test
    void writesTheDocumentedLayout() throws Exception {
        byte[] file = smallBytes();
        ByteBuffer b = ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN);
        int headerLength = b.getInt(12);

        assertThat(new String(file, 0, 8, StandardCharsets.US_ASCII)).isEqualTo("STRMCKPT");
        assertThat(b.getInt(8)).isEqualTo(1);
        assertThat(b.getLong(16)).isEqualTo(8 * 4L);
        JsonNode header = CheckpointFixtures.JSON.readTree(new String(file, 24, headerLength, StandardCharsets.UTF_8));
        assertThat(header.get("tensors").toString())
                .isEqualTo("[{\"name\":\"w\",\"shape\":[2,3]},{\"name\":\"b\",\"shape\":[2]}]");
        assertThat(header.get("metadata").get("model").asText()).isEqualTo("sentiment");
        assertThat(b.getFloat(24 + headerLength)).isEqualTo(-1f);
        assertThat(b.getFloat(24 + headerLength + 6 * 4)).isEqualTo(0.125f);
        assertThat(file).hasSize(24 + headerLength + 8 * 4 + 32);
    }

    @Test
    void streamRoundTripWritesAndReadsOneCheckpoint() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Checkpoints.write(small(), out);

        Checkpoint loaded = Checkpoints.read(new ByteArrayInputStream(out.toByteArray()));

        assertThat(out.toByteArray()).isEqualTo(smallBytes());
        assertThat(loaded.tensors().get("w").toArray()).containsExactly(small().tensors().get("w").toArray());
    }

    @Test
    void pathRoundTripLeavesOnlyTheTargetFile(@TempDir Path dir) throws Exception {
        Path target = dir.resolve("model.ckpt");

        Checkpoints.write(small(), target);
        Checkpoint loaded = Checkpoints.read(target);

        assertThat(loaded.metadata()).containsEntry("version", "7");
        assertThat(loaded.tensors().get("b").toArray()).containsExactly(0.125f, -3e-7f);
        try (Stream<Path> files = Files.list(dir)) {
            assertThat(files).containsExactly(target);
        }
    }

    @Test
    void pathWriteReplacesAnExistingCheckpoint(@TempDir Path dir) throws Exception {
        Path target = dir.resolve("model.ckpt");
        Checkpoints.write(small(), target);

        Checkpoints.write(Checkpoint.builder(architecture()).metadata("version", "8").build(), target);

        assertThat(Checkpoints.read(target).metadata()).containsExactly(Map.entry("version", "8"));
    }

    @Test
    void failedWriteLeavesTheExistingCheckpointIntact(@TempDir Path dir) throws Exception {
        Path target = dir.resolve("model.ckpt");
        Checkpoints.write(small(), target);
        byte[] before = Files.readAllBytes(target);
        Checkpoint diverged = Checkpoint.builder(architecture()).tensor("w", Tensor.of(1f, Float.NaN)).build();

        CheckpointFixtures.rejected(() -> Checkpoints.write(diverged, target), Reason.NON_FINITE_WEIGHTS, "'w'");

        assertThat(Files.readAllBytes(target)).isEqualTo(before);
        try (Stream<Path> files = Files.list(dir)) {
            assertThat(files).containsExactly(target);
        }
    }

    @Test
    void checkpointCopiesArchitectureAndMaps() {
        ObjectNode arch = CheckpointFixtures.JSON.createObjectNode().put("type", "rnn");
        Map<String, String> meta = new HashMap<>(Map.of("model", "a"));
        Map<String, Tensor> tensors = new HashMap<>(Map.of("w", Tensor.of(1f)));
        Checkpoint c = Checkpoint.of(arch, meta, tensors);

        arch.put("type", "cnn");
        meta.put("model", "b");
        tensors.clear();
        ((ObjectNode) c.architecture()).put("extra", 1);

        assertThat(c.architecture().get("type").asText()).isEqualTo("rnn");
        assertThat(c.architecture().has("extra")).isFalse();
        assertThat(c.metadata()).containsExactly(Map.entry("model", "a"));
        assertThat(c.tensors()).containsOnlyKeys("w");
        assertThat(c.parameterCount()).isEqualTo(1);
    }
}
