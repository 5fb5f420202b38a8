package io.streamnet.interop;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The JSON beside a model: its size checked before it is read, bad JSON an import refusal. */
class JsonFilesTest {
    @Test
    void aFileOverTheLimitIsRefusedBeforeItIsRead(@TempDir Path dir) throws Exception {
        Path big = dir.resolve("big.arch.json");
        try (RandomAccessFile f = new RandomAccessFile(big.toFile(), "rw")) {
            f.setLength(JsonFiles.MAX_ARCH_BYTES + 1); // sparse: nothing is written
        }
        assertThatThrownBy(() -> JsonFiles.read(big, JsonFiles.MAX_ARCH_BYTES, "ARCH"))
                .isInstanceOf(ImportException.class).hasMessageContaining("over the " + JsonFiles.MAX_ARCH_BYTES);
    }

    @Test
    void bytesThatLookLikeAnotherEncodingAreRefusedAsAnImport(@TempDir Path dir) throws Exception {
        // found by ImportFuzzTest: leading zero bytes make Jackson read UTF-32 and throw CharConversionException
        Path bad = Files.write(dir.resolve("bad.arch.json"), new byte[] {(byte) 0xff, 0, 0, 0, 0, 0, (byte) 0xff,
                'r', 'm', 'a', 't', '"', ':', ' ', '"', 's', '"', '}'});
        assertThatThrownBy(() -> JsonFiles.read(bad, JsonFiles.MAX_ARCH_BYTES, "ARCH"))
                .isInstanceOf(ImportException.class).hasMessageContaining("not JSON");
    }

    @Test
    void textThatIsNotJsonIsRefusedAsAnImport(@TempDir Path dir) throws Exception {
        Path bad = Files.writeString(dir.resolve("bad.arch.json"), "{\"format\": ");
        assertThatThrownBy(() -> JsonFiles.read(bad, JsonFiles.MAX_ARCH_BYTES, "ARCH"))
                .isInstanceOf(ImportException.class).hasMessageContaining("not JSON");
    }
}
