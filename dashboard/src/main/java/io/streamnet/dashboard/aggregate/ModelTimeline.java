package io.streamnet.dashboard.aggregate;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Every model version seen on model-updates (the newest {@link #CAPACITY}), with its time and the
 * metrics online training sends (score, parent, rolled back from); the rejected updates and
 * candidates (from the dead letters); the version serving now, per model (from the predictions);
 * and the accuracy of each version's labelled predictions.
 */
public final class ModelTimeline {
    public static final int CAPACITY = 1000;
    public static final int REJECTIONS = 50;

    /** One published version. */
    public record Version(String modelId, long version, long createdAt, Map<String, Double> metrics) {
    }

    /** An update or candidate that was refused, and why. */
    public record Rejection(String reason, String detail, long time) {
    }

    private final LinkedHashMap<String, Version> versions = new LinkedHashMap<>(16, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Version> eldest) {
            return size() > CAPACITY;
        }
    };
    private final LinkedHashMap<String, long[]> accuracyByVersion = new LinkedHashMap<>(16, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, long[]> eldest) {
            return size() > CAPACITY;
        }
    };
    private final Deque<Rejection> rejections = new ArrayDeque<>();
    private final Map<String, Long> serving = new LinkedHashMap<>();

    public synchronized void published(Version v) {
        versions.put(v.modelId() + "@" + v.version(), v);
    }

    public synchronized void rejected(Rejection r) {
        rejections.addFirst(r);
        while (rejections.size() > REJECTIONS) {
            rejections.removeLast();
        }
    }

    /** A prediction made by {@code modelId} v{@code version}, right or wrong when labelled. */
    public synchronized void servedBy(String modelId, long version, Boolean correct) {
        if (serving.size() < CAPACITY || serving.containsKey(modelId)) {
            serving.merge(modelId, version, Math::max);
        }
        if (correct != null) {
            long[] c = accuracyByVersion.computeIfAbsent(modelId + "@" + version, k -> new long[2]);
            c[0]++;
            c[1] += correct ? 1 : 0;
        }
    }

    public synchronized List<Version> versions() {
        return new ArrayList<>(versions.values());
    }

    public synchronized List<Rejection> rejections() {
        return List.copyOf(rejections);
    }

    /** The newest version seen serving, per model id. */
    public synchronized Map<String, Long> serving() {
        return new LinkedHashMap<>(serving);
    }

    /** Labelled predictions and how many were right, per "id@version". */
    public synchronized Map<String, long[]> accuracy() {
        Map<String, long[]> out = new LinkedHashMap<>();
        accuracyByVersion.forEach((k, v) -> out.put(k, v.clone()));
        return out;
    }

    public Map<String, Object> snapshot() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("versions", versions());
        m.put("serving", serving());
        m.put("rejections", rejections());
        Map<String, Object> acc = new LinkedHashMap<>();
        accuracy().forEach((k, v) -> acc.put(k, Map.of("labelled", v[0], "correct", v[1],
                "accuracy", (double) v[1] / v[0])));
        m.put("accuracyByVersion", acc);
        return m;
    }
}
