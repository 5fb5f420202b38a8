package io.streamnet.engine.tensor;

/** Thrown when operands' shapes do not fit an operation; the message names the shapes involved. */
public class ShapeMismatchException extends IllegalArgumentException {
    public ShapeMismatchException(String message) {
        super(message);
    }
}
