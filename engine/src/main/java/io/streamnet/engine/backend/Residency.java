package io.streamnet.engine.backend;

import io.streamnet.engine.tensor.Tensor;

/**
 * A device-resident workspace for one owner's repeated steps (a stepper's batched RNN step, a frame
 * classifier's CNN forward). Inside {@link #run}, a device backend keeps a device copy of every
 * host array the step's operations touch: the owner's constants (a model's weights) are uploaded
 * on first use and stay for the residency's lifetime; anything else (the round's inputs, the
 * gathered states) is uploaded once, when first read in the run; results stay on the device until
 * the step asks for them with {@link Scope#keep}, and are downloaded once, when the run ends.
 * Arrays the step wrote but did not keep (workspaces, caches) are not copied back: after a run
 * their host contents are undefined.
 *
 * <p>On a host backend {@link #NONE} runs the step as it is. One owner thread; a device residency
 * holds its backend's lock for the whole run. {@link #close} frees the device memory.
 */
public interface Residency extends AutoCloseable {
    /** What a step does inside a run. */
    @FunctionalInterface
    interface Step {
        void run(Scope scope);
    }

    /** The run in progress. */
    interface Scope {
        /** The step's result: {@code t}'s elements are current on the host when the run returns. */
        void keep(Tensor t);
    }

    /** Runs {@code step} with its operations on device-resident copies, then downloads what it kept. */
    void run(Step step);

    /** Host-to-device and device-to-host copies so far: count and bytes (for tests and logs). */
    CopyCounts copies();

    @Override
    void close();

    record CopyCounts(long uploads, long uploadedBytes, long downloads, long downloadedBytes) {
    }

    /** The residency of a host backend: the step runs as it is, nothing is copied. */
    Residency NONE = new Residency() {
        private final Scope scope = t -> { };

        @Override
        public void run(Step step) {
            step.run(scope);
        }

        @Override
        public CopyCounts copies() {
            return new CopyCounts(0, 0, 0, 0);
        }

        @Override
        public void close() {
        }
    };
}
