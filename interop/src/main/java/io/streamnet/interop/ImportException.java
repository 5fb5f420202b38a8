package io.streamnet.interop;

/** A model file or architecture the importer refuses; the message names the tensor or field. */
public class ImportException extends Exception {
    private static final long serialVersionUID = 1L;

    public ImportException(String message) {
        super(message);
    }

    public ImportException(String message, Throwable cause) {
        super(message, cause);
    }
}
