package io.streamnet.training;

import java.util.Arrays;

/**
 * What the model owner lets through before a gradient touches the model: not one computed against a
 * version more than {@code maxStaleness} behind the current one (STALE), nor against a version the
 * owner has not reached (FUTURE_VERSION: someone else published it; its weights are not the ones
 * this gradient would move), not one with a NaN or infinite value (NON_FINITE), and not one whose
 * mean loss is above {@code spikeFactor} times the median of the last {@link #HISTORY} finite
 * losses judged (LOSS_SPIKE; judged once {@link #MIN_HISTORY} are known). The median covers the
 * refused losses too, so it follows a stream whose loss level changes for good (after a burst of
 * easy data, normal data is accepted again within {@code HISTORY / 2 + 1} gradients) while a lone
 * spike is still refused.
 */
public final class GradientGate {
    /** Why a gradient was or was not applied. */
    public enum Verdict { ACCEPTED, STALE, NON_FINITE, LOSS_SPIKE, FUTURE_VERSION } // new ones last: counts are checkpointed by ordinal

    static final int HISTORY = 101;
    static final int MIN_HISTORY = 10;

    private final long maxStaleness;
    private final double spikeFactor;
    private final double[] recent = new double[HISTORY];
    private int seen;
    private final long[] counts = new long[Verdict.values().length];

    public GradientGate(long maxStaleness, double spikeFactor) {
        if (maxStaleness < 0 || !(spikeFactor > 1)) {
            throw new IllegalArgumentException("staleness must be >= 0 and the spike factor > 1, got " + maxStaleness
                    + ", " + spikeFactor);
        }
        this.maxStaleness = maxStaleness;
        this.spikeFactor = spikeFactor;
    }

    /** Judges {@code g} against the model owner's current version, and counts the verdict. */
    public Verdict judge(Gradient g, long currentVersion) {
        Verdict v;
        if (g.version() > currentVersion) {
            v = Verdict.FUTURE_VERSION;
        } else if (currentVersion - g.version() > maxStaleness || currentVersion - g.version() < 0) { // < 0: overflowed
            v = Verdict.STALE;
        } else if (!g.finite()) {
            v = Verdict.NON_FINITE;
        } else {
            boolean spike = seen >= MIN_HISTORY && g.meanLoss() > spikeFactor * median();
            // every finite loss moves the reference, refused or not: one only of accepted losses never forgets a
            // burst of easy data and then refuses all normal data for good
            recent[seen % HISTORY] = g.meanLoss();
            seen = seen + 1 < 2 * HISTORY ? seen + 1 : seen + 1 - HISTORY; // same ring slot, no overflow
            v = spike ? Verdict.LOSS_SPIKE : Verdict.ACCEPTED;
        }
        counts[v.ordinal()]++;
        return v;
    }

    /** How many gradients got {@code v} so far. */
    public long count(Verdict v) {
        return counts[v.ordinal()];
    }

    /** The gate's memory: the recent finite losses judged (ring), how many were judged, the verdict counts. */
    public record History(double[] recent, int seen, long[] counts) {
    }

    public History history() {
        return new History(recent.clone(), seen, counts.clone());
    }

    /** Continues from {@link #history()}. */
    public void restore(History h) {
        // a history written before a verdict was added has fewer counts: the new ones start at 0
        if (h.recent().length != HISTORY || h.counts().length > counts.length || h.seen() < 0) {
            throw new IllegalArgumentException("gate history of another shape");
        }
        System.arraycopy(h.recent(), 0, recent, 0, HISTORY);
        java.util.Arrays.fill(counts, 0);
        System.arraycopy(h.counts(), 0, counts, 0, h.counts().length);
        seen = h.seen();
    }

    double median() {
        int n = Math.min(seen, HISTORY);
        double[] s = Arrays.copyOf(recent, n);
        Arrays.sort(s);
        return n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
    }
}
