package io.streamnet.dashboard.aggregate;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The most recently active keys, at most {@code capacity}: each with its latest score (the
 * probability of class 1, the dashboards' "positive"), label and how many predictions it had.
 * The least recently updated key is evicted first, so a stream of a million keys holds
 * {@code capacity} entries, never more.
 */
public final class ActiveKeys {
    /** One key's latest state. */
    public record Entry(String key, long predictions, double score, int label, long step, long modelVersion) {
    }

    private final int capacity;
    private final LinkedHashMap<String, Entry> byKey;

    public ActiveKeys(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be positive, got " + capacity);
        }
        this.capacity = capacity;
        this.byKey = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Entry> eldest) {
                return size() > ActiveKeys.this.capacity;
            }
        };
    }

    public synchronized void update(String key, double score, int label, long step, long modelVersion) {
        Entry old = byKey.get(key);
        byKey.put(key, new Entry(key, old == null ? 1 : old.predictions() + 1, score, label, step, modelVersion));
    }

    public synchronized Entry get(String key) {
        return byKey.get(key);
    }

    public synchronized int size() {
        return byKey.size();
    }

    /** The most recently updated first, at most {@code n}. */
    public synchronized List<Entry> newest(int n) {
        List<Entry> all = new ArrayList<>(byKey.values());
        List<Entry> out = new ArrayList<>(Math.min(n, all.size()));
        for (int i = all.size() - 1; i >= 0 && out.size() < n; i--) {
            out.add(all.get(i));
        }
        return out;
    }
}
