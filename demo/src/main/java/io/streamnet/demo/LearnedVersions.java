package io.streamnet.demo;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What the learning demo saw of each model version, and the table it ends with: per version, the
 * time, held-out score, streamed test accuracy and accuracy on the whole test split; then the
 * gradient-to-serving delay.
 */
final class LearnedVersions {
    /** Per version: when its update was committed and first served, its metrics, the test predictions it made. */
    static final class Stats {
        long committedAt;
        long firstServedAt;
        Map<String, Double> metrics = Map.of();
        int predictions;
        int correct;
        double testAccuracy = Double.NaN;
    }

    private final TreeMap<Long, Stats> versions = new TreeMap<>();

    /** The stats of {@code version}, new ones when it was not seen before. */
    Stats of(long version) {
        return versions.computeIfAbsent(version, v -> new Stats());
    }

    /** The highest version seen. */
    Map.Entry<Long, Stats> newest() {
        return versions.lastEntry();
    }

    /** Prints the table, with times since {@code t0}. */
    void printTable(long t0, int testSize) {
        System.out.println();
        System.out.println("version | committed s | held-out score (slice) | streamed test accuracy (predictions) | "
                + "whole test split");
        List<Long> delayNewest = new ArrayList<>();
        List<Long> delayOldest = new ArrayList<>();
        List<Long> toCommit = new ArrayList<>();
        List<Long> toServe = new ArrayList<>();
        for (var e : versions.entrySet()) {
            Stats s = e.getValue();
            System.out.printf("v%-6d | %11.1f | %s (%s) | %s (%d) | %.4f%n", e.getKey(), (s.committedAt - t0) / 1000.0,
                    fmt(s.metrics.get("score")), fmt(s.metrics.get("heldOut")), rate(s), s.predictions,
                    s.testAccuracy);
            Double newest = s.metrics.get("learnedFromNewestMs");
            Double oldest = s.metrics.get("learnedFromOldestMs");
            if (newest != null && s.firstServedAt > 0) {
                delayNewest.add(s.firstServedAt - newest.longValue());
                delayOldest.add(s.firstServedAt - oldest.longValue());
                toCommit.add(s.committedAt - newest.longValue());
                toServe.add(s.firstServedAt - s.committedAt);
            }
        }
        System.out.printf("gradient-to-serving delay (labelled event -> first committed prediction of a version "
                + "that learned from it), over %d versions: newest event median %d ms p99 %d ms; oldest event "
                + "median %d ms p99 %d ms%n", delayNewest.size(), pct(delayNewest, 50), pct(delayNewest, 99),
                pct(delayOldest, 50), pct(delayOldest, 99));
        System.out.printf("  of which newest event -> version committed: median %d ms p99 %d ms; committed -> first "
                + "committed prediction with it: median %d ms p99 %d ms%n", pct(toCommit, 50), pct(toCommit, 99),
                pct(toServe, 50), pct(toServe, 99));
        var last = newest();
        System.out.printf("== last version v%d: %.4f on the %d test sentences%n", last.getKey(),
                last.getValue().testAccuracy, testSize);
    }

    /** The accuracy of the test predictions {@code s} made, or a dash before any. */
    static String rate(Stats s) {
        return s.predictions == 0 ? "  -  " : String.format("%.3f", (double) s.correct / s.predictions);
    }

    /** A metric: whole numbers without decimals, a dash when missing. */
    static String fmt(Double d) {
        return d == null ? "  -  " : d == Math.rint(d) ? String.format("%.0f", d) : String.format("%.3f", d);
    }

    private static long pct(List<Long> xs, int p) {
        if (xs.isEmpty()) {
            return -1;
        }
        long[] s = xs.stream().mapToLong(Long::longValue).sorted().toArray();
        return s[Math.min(s.length - 1, (int) Math.ceil(p / 100.0 * s.length) - 1)];
    }
}
