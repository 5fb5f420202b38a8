package io.streamnet.serving.placement;

/**
 * The round sizes a served workload is calibrated or run at: the powers of a factor below its
 * capacity, and the capacity itself. A sequence stepper is calibrated at powers of four (1, 4, 16,
 * ...); a frame classifier runs, and is calibrated, at powers of two, its flushes passing down them.
 */
public final class RoundLadder {
    private RoundLadder() {
    }

    /** 1, factor, factor², ... below {@code capacity}, then {@code capacity}; ascending. */
    public static int[] of(int capacity, int factor) {
        if (factor < 2) {
            throw new IllegalArgumentException("the ladder's factor must be at least 2, got " + factor);
        }
        int n = 1;
        for (long size = 1; size < capacity; size *= factor) {
            n++;
        }
        int[] sizes = new int[n];
        int i = 0;
        for (long size = 1; size < capacity; size *= factor) {
            sizes[i++] = (int) size;
        }
        sizes[i] = capacity;
        return sizes;
    }
}
