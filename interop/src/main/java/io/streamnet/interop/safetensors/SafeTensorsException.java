package io.streamnet.interop.safetensors;

import io.streamnet.interop.ImportException;

/**
 * A safetensors file that cannot be read as what it claims to be; the message says what is wrong. An
 * import refusal like any other, so a caller handles one exception type for every damaged model file.
 */
public class SafeTensorsException extends ImportException {
    private static final long serialVersionUID = 1L;

    public SafeTensorsException(String message) {
        super(message);
    }
}
