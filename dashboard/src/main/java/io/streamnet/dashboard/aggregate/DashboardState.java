package io.streamnet.dashboard.aggregate;

import io.streamnet.contract.PipelineTopics;
import io.streamnet.schemas.DeadLetter;
import io.streamnet.schemas.Frame;
import io.streamnet.schemas.ModelUpdate;
import io.streamnet.schemas.Prediction;
import io.streamnet.schemas.PredictionKind;
import io.streamnet.serving.reject.RejectReason;
import java.nio.ByteBuffer;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Everything the dashboards show, from the topics they read: each record updates bounded
 * aggregates, and {@link #snapshot} is what a page receives (plain maps and lists, for JSON).
 * A model that has made a FRAME prediction is a frame model: its other predictions (the
 * smoother's) go to the frames page, every other model's to the sentiment page.
 */
public class DashboardState { // not final: a test makes it throw an Error inside the feed
    private static final int FRAME_MODELS = 100;
    /** Metrics kept per published version (the pages show three); the rest are dropped. */
    public static final int METRICS_HELD = 16;

    private final String modelUpdatesTopic;
    private final SentimentBoard sentiment = new SentimentBoard();
    private final FrameBoard frames = new FrameBoard();
    private final PipelineStats pipeline = new PipelineStats();
    private final ModelTimeline models = new ModelTimeline();
    private final Set<String> frameModels = new LinkedHashSet<>();

    public DashboardState() {
        this(PipelineTopics.MODEL_UPDATES);
    }

    /** @param modelUpdatesTopic dead letters from this topic are rejected model updates */
    public DashboardState(String modelUpdatesTopic) {
        this.modelUpdatesTopic = modelUpdatesTopic;
    }

    public void prediction(Prediction p, long nowMs) {
        String modelId = Shown.cap(p.getModelId(), Shown.ID);
        String key = Shown.cap(p.getKey(), Shown.KEY);
        List<Float> probs = p.getProbabilities();
        pipeline.prediction(nowMs, p.getLatencyMs());
        // a rolling score is not a verdict: only verdicts count towards a version's accuracy
        boolean verdict = p.getKind() != PredictionKind.ROLLING;
        models.servedBy(modelId, p.getModelVersion(),
                p.getTrueLabel() == null || !verdict ? null : p.getTrueLabel() == p.getLabel());
        double confidence = p.getLabel() >= 0 && p.getLabel() < probs.size() ? probs.get(p.getLabel()) : Double.NaN;
        FrameBoard.Label label = new FrameBoard.Label(p.getStep(), p.getLabel(), confidence, p.getTrueLabel(), modelId,
                p.getModelVersion());
        if (p.getKind() == PredictionKind.FRAME) {
            synchronized (frameModels) {
                if (frameModels.size() < FRAME_MODELS) {
                    frameModels.add(modelId);
                }
            }
            frames.perFrame(key, label, probs.size());
            return;
        }
        boolean frameModel;
        synchronized (frameModels) {
            frameModel = frameModels.contains(modelId);
        }
        if (frameModel) {
            frames.smoothed(key, label);
        } else if (!probs.isEmpty()) {
            double score = probs.size() >= 2 ? probs.get(1) : probs.get(0);
            sentiment.prediction(nowMs, key, score, p.getLabel(), p.getStep(), p.getModelVersion(), p.getTrueLabel(),
                    p.getKind() == PredictionKind.ROLLING);
        }
    }

    public void frame(Frame f, long nowMs) {
        pipeline.eventsIn(nowMs, 1);
        ByteBuffer b = f.getPixels().duplicate();
        byte[] pixels = new byte[Math.min(b.remaining(), FrameBoard.MAX_PIXEL_BYTES + 1)];
        b.get(pixels);
        frames.frame(Shown.cap(f.getStreamId(), Shown.KEY), f.getFrameNo(), f.getHeight(), f.getWidth(), f.getChannels(), pixels);
    }

    /** Records read from an input topic that the dashboard only counts. */
    public void eventsIn(long nowMs, long n) {
        pipeline.eventsIn(nowMs, n);
    }

    public void deadLetter(DeadLetter d) {
        String reason = Shown.cap(d.getReason(), Shown.REASON);
        String detail = Shown.cap(d.getDetail(), Shown.DETAIL);
        long time = d.getTime().toEpochMilli();
        String topic = d.getSourceTopic().toString();
        // no source record: the training job's own verdict on a candidate
        String source = Shown.cap(topic.isEmpty() ? "training job" : topic + "@" + d.getPartition() + ":" + d.getOffset(),
                Shown.DETAIL);
        pipeline.deadLetter(new PipelineStats.DeadLetterView(reason, detail, source, time));
        if (topic.equals(modelUpdatesTopic) || reason.equals(RejectReason.CANDIDATE_REJECTED.name())
                || reason.equals(RejectReason.OWNER_CONFLICT.name())) {
            models.rejected(new ModelTimeline.Rejection(reason, detail, time));
        }
    }

    public void modelUpdate(ModelUpdate u) {
        Map<String, Double> metrics = new LinkedHashMap<>();
        for (Map.Entry<String, Double> m : u.getMetrics().entrySet()) {
            if (metrics.size() == METRICS_HELD) {
                break;
            }
            metrics.put(Shown.cap(m.getKey(), Shown.ID), m.getValue());
        }
        models.published(new ModelTimeline.Version(Shown.cap(u.getModelId(), Shown.ID), u.getVersion(),
                u.getCreatedAt().toEpochMilli(), metrics));
    }

    public SentimentBoard sentiment() {
        return sentiment;
    }

    public FrameBoard frames() {
        return frames;
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
        s.put("pipeline", pipeline.snapshot(nowMs));
        s.put("sentiment", sentiment.snapshot(nowMs));
        s.put("frames", frames.snapshot());
        s.put("models", models.snapshot());
        return s;
    }
}
