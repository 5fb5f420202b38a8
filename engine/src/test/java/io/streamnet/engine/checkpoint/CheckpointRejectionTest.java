package io.streamnet.engine.checkpoint;

import static io.streamnet.engine.checkpoint.CheckpointFixtures.assemble;
import static io.streamnet.engine.checkpoint.CheckpointFixtures.concat;
import static io.streamnet.engine.checkpoint.CheckpointFixtures.payloadOffset;
import static io.streamnet.engine.checkpoint.CheckpointFixtures.putFloat;
import static io.streamnet.engine.checkpoint.CheckpointFixtures.rejected;
import static io.streamnet.engine.checkpoint.CheckpointFixtures.reseal;
import static io.streamnet.engine.checkpoint.CheckpointFixtures.small;
import static io.streamnet.engine.checkpoint.CheckpointFixtures.smallBytes;
import static org.assertj.core.api.Assertions.assertThat;

import io.streamnet.engine.checkpoint.CheckpointException.Reason;
import io.streamnet.engine.checkpoint.CheckpointFixtures.CountingInputStream;
import io.streamnet.engine.tensor.Tensor;
import java.io.ByteArrayInputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CheckpointRejectionTest {
    private static final String DENSE_HEADER =
            "{\"architecture\":{},\"metadata\":{},\"tensors\":[{\"name\":\"w\",\"shape\":[2,3]}]}";

    @Test
    void rejectsWrongMagic() throws Exception {
        byte[] file = smallBytes();
        file[0] = 'X';

        rejected(() -> Checkpoints.fromBytes(file), Reason.BAD_MAGIC, "magic", "STRMCKPT");
    }

    @Test
    void rejectsShortInputThatIsNotACheckpointAsBadMagic() {
        byte[] json = "{}".getBytes(StandardCharsets.US_ASCII);

        rejected(() -> Checkpoints.fromBytes(json), Reason.BAD_MAGIC, "magic");
    }

    @Test
    void rejectsUnsupportedVersion() throws Exception {
        byte[] file = smallBytes();
        ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN).putInt(8, 2);

        rejected(() -> Checkpoints.fromBytes(file), Reason.UNSUPPORTED_VERSION, "version 2", "supports version 1");
    }

    @Test
    void rejectsTruncatedFileAtEveryLength() throws Exception {
        byte[] file = smallBytes();

        for (int len = 0; len < file.length; len++) {
            byte[] cut = Arrays.copyOf(file, len);
            rejected(() -> Checkpoints.fromBytes(cut), Reason.TRUNCATED, "truncated");
        }
    }

    @Test
    void rejectsTruncatedStreamAtEveryLength() throws Exception {
        byte[] file = smallBytes();

        for (int len = 0; len < file.length; len++) {
            ByteArrayInputStream cut = new ByteArrayInputStream(file, 0, len);
            rejected(() -> Checkpoints.read(cut), Reason.TRUNCATED, "truncated");
        }
    }

    @Test
    void rejectsTruncatedPathBeforeAllocatingTensors(@TempDir Path dir) throws Exception {
        Path path = dir.resolve("cut.ckpt");
        byte[] file = smallBytes();
        Files.write(path, Arrays.copyOf(file, file.length - 1));

        rejected(() -> Checkpoints.read(path), Reason.TRUNCATED, path.toString(), "declares " + file.length);
    }

    @Test
    void rejectsFlippedPayloadByteByChecksum() throws Exception {
        byte[] file = smallBytes();
        file[payloadOffset(file) + 5] ^= 0x01;

        rejected(() -> Checkpoints.fromBytes(file), Reason.CHECKSUM_MISMATCH, "SHA-256", "corrupt");
    }

    @Test
    void rejectsFlippedHeaderByteByChecksum() throws Exception {
        byte[] file = smallBytes();
        String text = new String(file, StandardCharsets.ISO_8859_1);
        file[text.indexOf("sentiment")] = 'S'; // still valid JSON, so only the checksum can catch it

        rejected(() -> Checkpoints.fromBytes(file), Reason.CHECKSUM_MISMATCH, "checksum mismatch");
    }

    @Test
    void rejectsFlippedTrailerByteByChecksum() throws Exception {
        byte[] file = smallBytes();
        file[file.length - 1] ^= (byte) 0x80;

        rejected(() -> Checkpoints.fromBytes(file), Reason.CHECKSUM_MISMATCH, "checksum mismatch");
    }

    @Test
    void rejectsTrailingGarbageAfterChecksum() throws Exception {
        byte[] file = concat(smallBytes(), new byte[] {0});

        rejected(() -> Checkpoints.fromBytes(file), Reason.TRAILING_DATA, "1 unexpected bytes");
    }

    @Test
    void rejectsTrailingGarbageInStream() throws Exception {
        byte[] file = concat(smallBytes(), "junk".getBytes(StandardCharsets.US_ASCII));

        rejected(() -> Checkpoints.read(new ByteArrayInputStream(file)), Reason.TRAILING_DATA,
                "after the checksum trailer");
    }

    @Test
    void rejectsNaNWeightsNamingTensorAndIndex() throws Exception {
        byte[] file = smallBytes();
        putFloat(file, payloadOffset(file) + 4 * 4, Float.NaN); // w[1][1]

        rejected(() -> Checkpoints.fromBytes(reseal(file)), Reason.NON_FINITE_WEIGHTS, "'w'", "NaN",
                "[1, 1]", "flat index 4");
    }

    @Test
    void rejectsInfiniteWeightsNamingTensorAndIndex() throws Exception {
        byte[] file = smallBytes();
        putFloat(file, payloadOffset(file) + 7 * 4, Float.NEGATIVE_INFINITY); // b[1]

        rejected(() -> Checkpoints.fromBytes(reseal(file)), Reason.NON_FINITE_WEIGHTS, "'b'", "-Infinity", "[1]");
    }

    @Test
    void refusesToWriteNonFiniteWeights() {
        Checkpoint c = Checkpoint.builder(CheckpointFixtures.architecture())
                .tensor("h", Tensor.of(0f, 1f, Float.POSITIVE_INFINITY)).build();

        rejected(() -> Checkpoints.toBytes(c), Reason.NON_FINITE_WEIGHTS, "'h'", "Infinity", "[2]");
    }

    @Test
    void rejectsOversizedHeaderBeforeReadingIt() throws Exception {
        ByteBuffer preamble = ByteBuffer.allocate(24 + 1000).order(ByteOrder.LITTLE_ENDIAN)
                .put("STRMCKPT".getBytes(StandardCharsets.US_ASCII)).putInt(1).putInt(Integer.MAX_VALUE).putLong(0);
        CountingInputStream in = new CountingInputStream(new ByteArrayInputStream(preamble.array()));

        rejected(() -> Checkpoints.read(in), Reason.HEADER_TOO_LARGE, "header of 2147483647 bytes",
                "limit of 1048576");
        assertThat(in.count).as("bytes read").isEqualTo(24);
    }

    @Test
    void rejectsHeaderAboveCustomLimit() {
        byte[] file = assemble(1, DENSE_HEADER, 1, 2, 3, 4, 5, 6);
        CheckpointReader reader = new CheckpointReader(new CheckpointLimits(32, 10, 100));

        rejected(() -> reader.read(file), Reason.HEADER_TOO_LARGE, "limit of 32 bytes");
    }

    @Test
    void rejectsPayloadAboveParameterLimitBeforeReadingHeader() {
        byte[] file = assemble(1, DENSE_HEADER, 1, 2, 3, 4, 5, 6);
        CheckpointReader reader = new CheckpointReader(new CheckpointLimits(1024, 10, 5));

        rejected(() -> reader.read(file), Reason.TOO_LARGE, "payload of 24 bytes", "5 parameters");
    }

    @Test
    void rejectsTooManyTensors() {
        byte[] file = assemble(1, "{\"architecture\":{},\"tensors\":[{\"name\":\"a\",\"shape\":[1]},"
                + "{\"name\":\"b\",\"shape\":[1]},{\"name\":\"c\",\"shape\":[1]}]}", 1, 2, 3);
        CheckpointReader reader = new CheckpointReader(new CheckpointLimits(1024, 2, 100));

        rejected(() -> reader.read(file), Reason.TOO_LARGE, "3 tensors", "limit of 2");
    }

    @Test
    void rejectsTensorShapeTooLargeForOneTensor() {
        byte[] file = assemble(1, "{\"architecture\":{},\"tensors\":[{\"name\":\"huge\","
                + "\"shape\":[2147483647,2147483647,2147483647]}]}");

        rejected(() -> Checkpoints.fromBytes(file), Reason.TOO_LARGE, "'huge'", "more elements than one tensor");
    }

    @Test
    void refusesToWriteMoreParametersThanTheLimit() {
        CheckpointWriter writer = new CheckpointWriter(new CheckpointLimits(1024, 10, 7));

        rejected(() -> writer.toBytes(small()), Reason.TOO_LARGE, "8 parameters", "limit of 7");
    }

    @Test
    void rejectsShapeMismatchBetweenHeaderAndPayload() {
        byte[] file = assemble(1, DENSE_HEADER, 1, 2, 3, 4, 5); // [2, 3] needs 6 floats

        rejected(() -> Checkpoints.fromBytes(file), Reason.SHAPE_MISMATCH, "6 floats (24 bytes)",
                "payload holds 20 bytes");
    }

    @Test
    void rejectsMalformedHeaderJson() {
        byte[] file = assemble(1, "{\"architecture\":{},\"tensors\":[", 1);

        rejected(() -> Checkpoints.fromBytes(file), Reason.MALFORMED_HEADER, "not valid JSON");
    }

    @Test
    void rejectsHeaderWithoutArchitecture() {
        byte[] file = assemble(1, "{\"tensors\":[]}");

        rejected(() -> Checkpoints.fromBytes(file), Reason.MALFORMED_HEADER, "\"architecture\"");
    }

    @Test
    void rejectsDuplicateTensorNames() {
        byte[] file = assemble(1, "{\"architecture\":{},\"tensors\":[{\"name\":\"w\",\"shape\":[1]},"
                + "{\"name\":\"w\",\"shape\":[1]}]}", 1, 2);

        rejected(() -> Checkpoints.fromBytes(file), Reason.MALFORMED_HEADER, "'w' appears twice");
    }

    @Test
    void rejectsNegativeDimension() {
        byte[] file = assemble(1, "{\"architecture\":{},\"tensors\":[{\"name\":\"w\",\"shape\":[-2,3]}]}");

        rejected(() -> Checkpoints.fromBytes(file), Reason.MALFORMED_HEADER, "'w'", "invalid shape [-2,3]");
    }

    @Test
    void rejectsNonStringMetadata() {
        byte[] file = assemble(1, "{\"architecture\":{},\"metadata\":{\"epoch\":3},\"tensors\":[]}");

        rejected(() -> Checkpoints.fromBytes(file), Reason.MALFORMED_HEADER, "\"epoch\"", "not a string");
    }
}
