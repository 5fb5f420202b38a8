package io.streamnet.engine.backend;

/**
 * Where a workload's rounds run: on {@code small} below {@code threshold} rows, on {@code large}
 * from there up. A device pays a fixed cost per round (launches, copies) that only larger rounds
 * earn back, so the same stream can gain from a GPU at batch 256 and lose at batch 1; the
 * threshold comes from {@link Calibration} on the workload's own shapes.
 */
public final class Placement {
    /** No round is large enough. */
    public static final int NEVER = Integer.MAX_VALUE;

    private final Backend small;
    private final Backend large;
    private final int threshold;
    private final String reason;

    private Placement(Backend small, Backend large, int threshold, String reason) {
        if (threshold < 1) {
            throw new IllegalArgumentException("threshold must be at least 1 row, got " + threshold);
        }
        this.small = small;
        this.large = large;
        this.threshold = threshold;
        this.reason = reason;
    }

    /** Every round on one backend. */
    public static Placement fixed(Backend backend, String reason) {
        return new Placement(backend, backend, 1, reason);
    }

    /** Rounds below {@code threshold} rows on {@code small}, the rest on {@code large}. */
    public static Placement split(Backend small, Backend large, int threshold, String reason) {
        return new Placement(small, large, threshold, reason);
    }

    public Backend forRows(int rows) {
        return rows >= threshold ? large : small;
    }

    /** The smallest round that runs on {@link #forRows large}'s backend ({@link #NEVER} for none). */
    public int threshold() {
        return threshold;
    }

    /** Why: the mode, or the calibration's figures. */
    public String reason() {
        return reason;
    }

    @Override
    public String toString() {
        if (small == large || threshold == NEVER) {
            return small.name() + " (" + reason + ")";
        }
        return small.name() + " below " + threshold + " rows, " + large.name() + " from " + threshold + " (" + reason + ")";
    }
}
