package io.streamnet.interop.safetensors;

/** A safetensors file that cannot be read as what it claims to be; the message says what is wrong. */
public class SafeTensorsException extends Exception {
    private static final long serialVersionUID = 1L;

    public SafeTensorsException(String message) {
        super(message);
    }
}
