package io.streamnet.dashboard.aggregate;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The most recently active keys, at most {@code capacity}: each with its latest score (the
 * probability of class 1, the dashboards' "positive"), label, how many predictions it had, and its
 * last {@link #HISTORY} scores for a chart. The least recently updated key is evicted first, so a
 * stream of a million keys holds {@code capacity} entries, never more.
 */
public final class ActiveKeys {
    public static final int HISTORY = 100;

    /** One key's latest state. */
    public record Entry(String key, long predictions, double score, int label, long step, long modelVersion) {
    }

    /** One point of a key's score history. */
    public record Point(long step, double score) {
    }

    private static final class Slot {
        Entry latest;
        final long[] steps = new long[HISTORY];
        final double[] scores = new double[HISTORY];
        long n;
    }

    private final LinkedHashMap<String, Slot> byKey;

    public ActiveKeys(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be positive, got " + capacity);
        }
        // insertion order, each update re-inserting its key: reading a key's history must not make it "active"
        this.byKey = new LinkedHashMap<>(16, 0.75f, false) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Slot> eldest) {
                return size() > capacity;
            }
        };
    }

    public synchronized void update(String key, double score, int label, long step, long modelVersion) {
        Slot s = byKey.remove(key);
        if (s == null) {
            s = new Slot();
        }
        byKey.put(key, s);
        s.latest = new Entry(key, s.latest == null ? 1 : s.latest.predictions() + 1, score, label, step, modelVersion);
        // a sequence's final prediction follows the rolling one of the same step: one point, the newest value
        boolean sameStep = s.n > 0 && s.steps[(int) ((s.n - 1) % HISTORY)] == step;
        int i = (int) ((sameStep ? s.n - 1 : s.n++) % HISTORY);
        s.steps[i] = step;
        s.scores[i] = score;
    }

    public synchronized Entry get(String key) {
        Slot s = byKey.get(key);
        return s == null ? null : s.latest;
    }

    /** The key's last scores, oldest first; empty when the key is not held. */
    public synchronized List<Point> history(String key) {
        Slot s = byKey.get(key);
        if (s == null) {
            return List.of();
        }
        int held = (int) Math.min(s.n, HISTORY);
        List<Point> out = new ArrayList<>(held);
        for (long j = s.n - held; j < s.n; j++) {
            int i = (int) (j % HISTORY);
            out.add(new Point(s.steps[i], s.scores[i]));
        }
        return out;
    }

    public synchronized int size() {
        return byKey.size();
    }

    /** The most recently updated first, at most {@code n}. */
    public synchronized List<Entry> newest(int n) {
        List<Slot> all = new ArrayList<>(byKey.values());
        List<Entry> out = new ArrayList<>(Math.min(n, all.size()));
        for (int i = all.size() - 1; i >= 0 && out.size() < n; i--) {
            out.add(all.get(i).latest);
        }
        return out;
    }
}
