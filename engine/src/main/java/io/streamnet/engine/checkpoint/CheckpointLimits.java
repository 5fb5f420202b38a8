package io.streamnet.engine.checkpoint;

/**
 * Upper bounds a reader (and writer) enforces, so a hostile or corrupt length field cannot make the
 * reader allocate unbounded memory. The defaults fit any model the engine trains.
 *
 * @param maxHeaderBytes largest JSON header accepted, checked before the header is read
 * @param maxTensors     most named tensors in one checkpoint
 * @param maxParameters  most float32 values over all tensors (the payload is 4 bytes each)
 */
public record CheckpointLimits(int maxHeaderBytes, int maxTensors, long maxParameters) {
    /** 1 MiB header, 10,000 tensors, 512 Mi parameters (a 2 GiB payload). */
    public static final CheckpointLimits DEFAULT = new CheckpointLimits(1 << 20, 10_000, 512L << 20);

    public CheckpointLimits {
        if (maxHeaderBytes <= 0 || maxTensors <= 0 || maxParameters <= 0 || maxParameters > Long.MAX_VALUE / 4) {
            throw new IllegalArgumentException("limits must be positive: " + maxHeaderBytes + ", " + maxTensors
                    + ", " + maxParameters);
        }
    }

    public long maxPayloadBytes() {
        return maxParameters * Float.BYTES;
    }
}
