package io.streamnet.serving.training;

import java.util.Arrays;

/**
 * What the model owner lets through before a gradient touches the model: not one computed against a
 * version more than {@code maxStaleness} behind the current one (STALE), not one with a NaN or
 * infinite value (NON_FINITE), and not one whose mean loss is above {@code spikeFactor} times the
 * running median of the last accepted ones (LOSS_SPIKE; judged once {@link #MIN_HISTORY} are known).
 */
public final class GradientGate {
    /** Why a gradient was or was not applied. */
    public enum Verdict { ACCEPTED, STALE, NON_FINITE, LOSS_SPIKE }

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
        if (currentVersion - g.version() > maxStaleness) {
            v = Verdict.STALE;
        } else if (!g.finite()) {
            v = Verdict.NON_FINITE;
        } else if (seen >= MIN_HISTORY && g.meanLoss() > spikeFactor * median()) {
            v = Verdict.LOSS_SPIKE;
        } else {
            recent[seen % HISTORY] = g.meanLoss();
            seen++;
            v = Verdict.ACCEPTED;
        }
        counts[v.ordinal()]++;
        return v;
    }

    /** How many gradients got {@code v} so far. */
    public long count(Verdict v) {
        return counts[v.ordinal()];
    }

    /** The gate's memory: the recent accepted losses (ring), how many were accepted, the verdict counts. */
    public record History(double[] recent, int seen, long[] counts) {
    }

    public History history() {
        return new History(recent.clone(), seen, counts.clone());
    }

    /** Continues from {@link #history()}. */
    public void restore(History h) {
        if (h.recent().length != HISTORY || h.counts().length != counts.length || h.seen() < 0) {
            throw new IllegalArgumentException("gate history of another shape");
        }
        System.arraycopy(h.recent(), 0, recent, 0, HISTORY);
        System.arraycopy(h.counts(), 0, counts, 0, counts.length);
        seen = h.seen();
    }

    double median() {
        int n = Math.min(seen, HISTORY);
        double[] s = Arrays.copyOf(recent, n);
        Arrays.sort(s);
        return n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
    }
}
