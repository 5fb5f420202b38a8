package io.streamnet.dashboard.aggregate;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Every model version seen on model-updates (the newest {@link #CAPACITY}), with its time and the
 * metrics online training sends (score, parent, rolled back from), the version serving now (from
 * the predictions) and the accuracy of each version's labelled predictions.
 */
public final class ModelTimeline {
    public static final int CAPACITY = 1000;

    /** One published version. */
    public record Version(String modelId, long version, long createdAt, Map<String, Double> metrics) {
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
    private final Map<String, Long> serving = new LinkedHashMap<>();

    public synchronized void published(Version v) {
        versions.put(v.modelId() + "@" + v.version(), v);
    }

    /** A prediction made by {@code modelId} v{@code version}, right or wrong when labelled. */
    public synchronized void servedBy(String modelId, long version, Boolean correct) {
        serving.merge(modelId, version, Math::max);
        if (correct != null) {
            long[] c = accuracyByVersion.computeIfAbsent(modelId + "@" + version, k -> new long[2]);
            c[0]++;
            c[1] += correct ? 1 : 0;
        }
    }

    public synchronized List<Version> versions() {
        return new ArrayList<>(versions.values());
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
}
