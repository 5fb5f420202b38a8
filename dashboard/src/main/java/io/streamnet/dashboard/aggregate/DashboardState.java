package io.streamnet.dashboard.aggregate;

import io.streamnet.schemas.DeadLetter;
import io.streamnet.schemas.ModelUpdate;
import io.streamnet.schemas.Prediction;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Everything the dashboards show, from the three topics they read: each record updates bounded
 * aggregates ({@link ActiveKeys}, {@link PipelineStats}, {@link ModelTimeline}), and
 * {@link #snapshot} is what a page receives (plain maps and lists, for JSON).
 */
public final class DashboardState {
    public static final int ACTIVE_KEYS = 200;
    public static final int KEYS_SHOWN = 50;

    private final ActiveKeys keys = new ActiveKeys(ACTIVE_KEYS);
    private final PipelineStats pipeline = new PipelineStats();
    private final ModelTimeline models = new ModelTimeline();

    public void prediction(Prediction p, long nowMs) {
        List<Float> probs = p.getProbabilities();
        double score = probs.size() >= 2 ? probs.get(1) : probs.isEmpty() ? Double.NaN : probs.get(0);
        keys.update(p.getKey().toString(), score, p.getLabel(), p.getStep(), p.getModelVersion());
        pipeline.prediction(nowMs, p.getLatencyMs(), p.getTrueLabel(), p.getLabel());
        models.servedBy(p.getModelId().toString(), p.getModelVersion(),
                p.getTrueLabel() == null ? null : p.getTrueLabel() == p.getLabel());
    }

    public void deadLetter(DeadLetter d) {
        pipeline.deadLetter(new PipelineStats.DeadLetterView(d.getReason().toString(), d.getDetail().toString(),
                d.getSourceTopic() + "@" + d.getPartition() + ":" + d.getOffset(), d.getTime().toEpochMilli()));
    }

    public void modelUpdate(ModelUpdate u) {
        Map<String, Double> metrics = new LinkedHashMap<>();
        u.getMetrics().forEach((k, v) -> metrics.put(k.toString(), v));
        models.published(new ModelTimeline.Version(u.getModelId().toString(), u.getVersion(),
                u.getCreatedAt().toEpochMilli(), metrics));
    }

    public ActiveKeys keys() {
        return keys;
    }

    public PipelineStats pipeline() {
        return pipeline;
    }

    public ModelTimeline models() {
        return models;
    }

    /** What the pages show now. */
    public Map<String, Object> snapshot(long nowMs) {
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("time", nowMs);
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("predictions", pipeline.predictions());
        p.put("predictionsPerSecond", pipeline.predictionsPerSecond(nowMs));
        p.put("latencyP50Ms", pipeline.latencyPercentile(50));
        p.put("latencyP99Ms", pipeline.latencyPercentile(99));
        double acc = pipeline.accuracy();
        p.put("accuracy", Double.isNaN(acc) ? null : acc);
        p.put("deadLetters", pipeline.deadLetters());
        p.put("deadLettersByReason", pipeline.deadLettersByReason());
        p.put("newestDeadLetters", pipeline.newestDeadLetters());
        s.put("pipeline", p);
        s.put("keys", keys.newest(KEYS_SHOWN));
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("versions", models.versions());
        m.put("serving", models.serving());
        Map<String, Object> acc2 = new LinkedHashMap<>();
        models.accuracy().forEach((k, v) -> acc2.put(k, Map.of("labelled", v[0], "correct", v[1])));
        m.put("accuracyByVersion", acc2);
        s.put("models", m);
        return s;
    }
}
