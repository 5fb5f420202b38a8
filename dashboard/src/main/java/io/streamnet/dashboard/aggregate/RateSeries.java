package io.streamnet.dashboard.aggregate;

import java.util.ArrayList;
import java.util.List;

/**
 * Counts per second over the last {@code seconds} seconds, in a ring: what a rate figure and a
 * rate chart are drawn from, in fixed memory however long the stream runs.
 */
public final class RateSeries {
    /** Seconds a rate figure averages over: short enough to follow the stream. */
    public static final int RATE_SECONDS = 10;

    private final long[] counts;
    private final long[] secondOf;

    public RateSeries(int seconds) {
        if (seconds < RATE_SECONDS) {
            throw new IllegalArgumentException("at least " + RATE_SECONDS + " seconds, got " + seconds);
        }
        counts = new long[seconds];
        secondOf = new long[seconds];
        java.util.Arrays.fill(secondOf, -1);
    }

    public synchronized void add(long nowMs, long n) {
        long second = nowMs / 1000;
        int slot = (int) (second % counts.length);
        if (secondOf[slot] != second) {
            secondOf[slot] = second;
            counts[slot] = 0;
        }
        counts[slot] += n;
    }

    /** The count in one second, 0 when none was recorded (or it left the ring). */
    private long at(long second) {
        int slot = (int) (second % counts.length);
        return secondOf[slot] == second ? counts[slot] : 0;
    }

    /** Per second over the {@link #RATE_SECONDS} full seconds before {@code nowMs}. */
    public synchronized double perSecond(long nowMs) {
        long now = nowMs / 1000;
        long sum = 0;
        for (long s = now - RATE_SECONDS; s < now; s++) {
            sum += at(s);
        }
        return sum / (double) RATE_SECONDS;
    }

    /** [epoch second, count] for each full second of the ring before {@code nowMs}, oldest first. */
    public synchronized List<long[]> series(long nowMs) {
        long now = nowMs / 1000;
        List<long[]> out = new ArrayList<>(counts.length);
        for (long s = now - counts.length + 1; s < now; s++) {
            out.add(new long[] {s, at(s)});
        }
        return out;
    }
}
