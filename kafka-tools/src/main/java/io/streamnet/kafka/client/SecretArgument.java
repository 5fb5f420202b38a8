package io.streamnet.kafka.client;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A command-line value that may be a secret: {@code @FILE} stands for the content of FILE, so that
 * the secret is never in the process's arguments (which {@code ps} shows to every local user) nor
 * in a shell's history. {@code @@...} is a value that starts with a literal {@code @}. The file's
 * trailing line breaks are dropped (an editor's, {@code echo}'s). Errors name the file, never what
 * it holds.
 */
public final class SecretArgument {
    /** A secret file larger than this is the wrong file. */
    static final long MAX_BYTES = 64 * 1024;

    private SecretArgument() {
    }

    /**
     * {@code value} itself, or, when it is {@code @FILE}, FILE's content.
     *
     * @param what what the value is, for the error message ("the access token")
     * @throws IllegalArgumentException when the file cannot be read or is too large
     */
    public static String resolve(String value, String what) {
        if (value == null || !value.startsWith("@")) {
            return value;
        }
        if (value.startsWith("@@")) {
            return value.substring(1);
        }
        Path file = Path.of(value.substring(1));
        try {
            if (!Files.isRegularFile(file)) {
                throw new IllegalArgumentException("cannot read " + what + " from " + file + ": no such file");
            }
            if (Files.size(file) > MAX_BYTES) {
                throw new IllegalArgumentException("cannot read " + what + " from " + file + ": larger than "
                        + MAX_BYTES + " bytes");
            }
            String s = Files.readString(file, StandardCharsets.UTF_8);
            int end = s.length();
            while (end > 0 && (s.charAt(end - 1) == '\n' || s.charAt(end - 1) == '\r')) {
                end--;
            }
            return s.substring(0, end);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read " + what + " from " + file + ": " + e.getClass().getSimpleName(), e);
        }
    }
}
