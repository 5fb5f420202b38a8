package io.streamnet.engine.cpu;

import jdk.incubator.vector.FloatVector;

/** Isolates the one Vector API call made before a kernel is chosen, so that a JVM without the module fails here only. */
final class VectorWidth {
    private VectorWidth() {
    }

    static int preferredBits() {
        return FloatVector.SPECIES_PREFERRED.vectorBitSize();
    }
}
