package io.streamnet.engine.backend;

/**
 * A way to obtain a {@link Backend}, found through {@link java.util.ServiceLoader}. The CPU backend
 * registers one; a CUDA backend registers its own in its module and is picked by {@link Backends}
 * without callers changing.
 */
public interface BackendProvider {
    /** The name used in {@code STREAMNET_BACKEND}: "cpu", "cuda". */
    String name();

    /** Higher wins under {@code auto}. The CPU backend is 0. */
    int priority();

    /** Whether this backend can run here; never throws (a missing driver is a "no" with a reason). */
    Availability probe();

    /** Creates the backend; called only after {@link #probe()} said yes. */
    Backend create();

    record Availability(boolean available, String reason) {
        public static Availability yes(String reason) {
            return new Availability(true, reason);
        }

        public static Availability no(String reason) {
            return new Availability(false, reason);
        }
    }
}
