package io.streamnet.interop;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The JSON beside a model (ARCH, vocabulary): its size checked before it is read, bad JSON refused as an import. */
public final class JsonFiles {
    /** An ARCH or vocabulary file: a large word vocabulary is a few MB. */
    public static final long MAX_ARCH_BYTES = 64L << 20;
    private static final ObjectMapper JSON = new ObjectMapper();

    private JsonFiles() {
    }

    public static JsonNode read(Path file, long maxBytes, String what) throws IOException, ImportException {
        long size = Files.size(file);
        if (size > maxBytes) {
            throw new ImportException(file + " is " + size + " bytes, over the " + maxBytes + " a " + what
                    + " file may have");
        }
        byte[] bytes = Files.readAllBytes(file);
        try {
            return JSON.readTree(bytes);
        } catch (JsonProcessingException e) {
            throw new ImportException(what + " " + file + " is not JSON: " + e.getOriginalMessage(), e);
        } catch (IOException e) {
            // from bytes in memory, only the content fails: e.g. an encoding guessed from the first bytes
            throw new ImportException(what + " " + file + " is not JSON: " + e.getMessage(), e);
        }
    }
}
