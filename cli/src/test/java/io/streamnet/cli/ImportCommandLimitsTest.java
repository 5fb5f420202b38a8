package io.streamnet.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.streamnet.interop.onnx.proto.OnnxSubset.GraphProto;
import io.streamnet.interop.onnx.proto.OnnxSubset.ModelProto;
import io.streamnet.interop.onnx.proto.OnnxSubset.NodeProto;
import io.streamnet.interop.onnx.proto.OnnxSubset.OperatorSetIdProto;
import io.streamnet.interop.onnx.proto.OnnxSubset.TensorProto;
import io.streamnet.interop.onnx.proto.OnnxSubset.TensorShapeProto;
import io.streamnet.interop.onnx.proto.OnnxSubset.TypeProto;
import io.streamnet.interop.onnx.proto.OnnxSubset.ValueInfoProto;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** streamnet import of hostile files: one line, exit 2, no checkpoint, quickly and without reading what it refuses. */
class ImportCommandLimitsTest {
    private static final Path FIXTURES = Path.of("../interop/src/test/resources/pytorch");

    @Test
    void aCyclicOnnxGraphIsRefusedInUnderASecond(@TempDir Path dir) throws Exception {
        // warm the command's classes on another refused file, so the second counts the import alone
        Path junk = Files.writeString(dir.resolve("junk.onnx"), "not a model");
        assertThat(CliRun.of("import", "--from", junk.toString(), "--out", dir.resolve("j.ckpt").toString()).exit())
                .isEqualTo(2);
        Path cyclic = Files.write(dir.resolve("cyclic.onnx"), reluCycle().toByteArray());
        Path out = dir.resolve("cyclic.ckpt");

        CliRun r = assertTimeoutPreemptively(Duration.ofSeconds(1),
                () -> CliRun.of("import", "--from", cyclic.toString(), "--out", out.toString()));

        assertThat(Files.size(cyclic)).isLessThan(100);
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).startsWith("streamnet import: ").contains("Relu node").contains("already defined");
        assertThat(r.err().strip().lines()).hasSize(1);
        assertThat(out).doesNotExist();
    }

    @Test
    void modelFilesOverTheLimitAreRefusedBeforeTheyAreRead(@TempDir Path dir) throws Exception {
        for (String name : new String[] {"huge.onnx", "huge.safetensors"}) {
            Path huge = sparse(dir.resolve(name), 3L << 30);
            CliRun r = CliRun.of("import", "--from", huge.toString(), "--arch",
                    FIXTURES.resolve("gru_features.arch.json").toString(), "--out", dir.resolve("x.ckpt").toString());
            assertThat(r.exit()).as(name).isEqualTo(2);
            assertThat(r.err()).as(name).contains("over the limit");
        }
    }

    @Test
    void anArchFileOverTheLimitIsRefusedBeforeItIsRead(@TempDir Path dir) throws Exception {
        Path arch = sparse(dir.resolve("huge.arch.json"), (64L << 20) + 1);
        CliRun r = CliRun.of("import", "--from", FIXTURES.resolve("gru_features.safetensors").toString(), "--arch",
                arch.toString(), "--out", dir.resolve("x.ckpt").toString());
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).contains("a ARCH file may have");
    }

    /** A file of {@code bytes} that takes no disk (and no time) to make. */
    private static Path sparse(Path file, long bytes) throws Exception {
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            f.setLength(bytes);
        }
        return file;
    }

    /** x -> Relu -> a -> Relu -> x: the input's path loops back to itself (95 bytes). */
    private static ModelProto reluCycle() {
        TensorShapeProto.Builder shape = TensorShapeProto.newBuilder();
        for (long d : new long[] {1, 1, 2, 2}) {
            shape.addDim(TensorShapeProto.Dimension.newBuilder().setDimValue(d));
        }
        ValueInfoProto image = ValueInfoProto.newBuilder().setName("x").setType(TypeProto.newBuilder().setTensorType(
                TypeProto.Tensor.newBuilder().setElemType(TensorProto.DataType.FLOAT_VALUE).setShape(shape))).build();
        return ModelProto.newBuilder().setIrVersion(8).addOpsetImport(OperatorSetIdProto.newBuilder().setVersion(13))
                .setGraph(GraphProto.newBuilder()
                        .addNode(NodeProto.newBuilder().setOpType("Relu").addInput("x").addOutput("a"))
                        .addNode(NodeProto.newBuilder().setOpType("Relu").addInput("a").addOutput("x"))
                        .addInput(image).addOutput(ValueInfoProto.newBuilder().setName("y"))).build();
    }
}
