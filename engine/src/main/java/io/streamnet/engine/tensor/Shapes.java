package io.streamnet.engine.tensor;

import java.util.Arrays;

/** Shape checks whose messages name both shapes, so a mismatch says what met what. */
public final class Shapes {
    private Shapes() {
    }

    public static void requireSame(String op, Tensor a, Tensor b) {
        if (!a.sameShape(b)) {
            throw new ShapeMismatchException(op + ": shapes differ: " + a.shapeString() + " vs " + b.shapeString());
        }
    }

    public static void requireRank(String op, Tensor t, int rank) {
        if (t.rank() != rank) {
            throw new ShapeMismatchException(op + ": expected rank " + rank + " but got shape " + t.shapeString());
        }
    }

    public static void requireShape(String op, Tensor t, int... expected) {
        if (!Arrays.equals(t.shape(), expected)) {
            throw new ShapeMismatchException(op + ": expected shape " + Arrays.toString(expected)
                    + " but got " + t.shapeString());
        }
    }

    public static void requireSize(String op, Tensor t, int size) {
        if (t.size() != size) {
            throw new ShapeMismatchException(op + ": expected " + size + " elements but got shape " + t.shapeString());
        }
    }
}
