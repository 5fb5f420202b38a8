package io.streamnet.dashboard.aggregate;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The sentiment page's figures: the most active conversations with their rolling score and score
 * history, positive and negative predictions per second over the last {@link #SECONDS} seconds,
 * and the accuracy of the predictions that carried their true label.
 */
public final class SentimentBoard {
    public static final int ACTIVE_KEYS = 200;
    public static final int KEYS_SHOWN = 50;
    public static final int SECONDS = 120;

    private final ActiveKeys keys = new ActiveKeys(ACTIVE_KEYS);
    private final RateSeries positive = new RateSeries(SECONDS);
    private final RateSeries negative = new RateSeries(SECONDS);
    private long predictions;
    private long labelled;
    private long correct;

    public void prediction(long nowMs, String key, double score, int label, long step, long modelVersion,
                           Integer trueLabel) {
        keys.update(key, score, label, step, modelVersion);
        (label == 1 ? positive : negative).add(nowMs, 1);
        synchronized (this) {
            predictions++;
            if (trueLabel != null) {
                labelled++;
                correct += trueLabel == label ? 1 : 0;
            }
        }
    }

    public ActiveKeys keys() {
        return keys;
    }

    /** Accuracy over the labelled predictions, or NaN with none. */
    public synchronized double accuracy() {
        return labelled == 0 ? Double.NaN : (double) correct / labelled;
    }

    public Map<String, Object> snapshot(long nowMs) {
        Map<String, Object> s = new LinkedHashMap<>();
        synchronized (this) {
            s.put("predictions", predictions);
            s.put("labelled", labelled);
            s.put("accuracy", labelled == 0 ? null : (double) correct / labelled);
        }
        s.put("activeKeys", keys.size());
        s.put("keys", keys.newest(KEYS_SHOWN));
        s.put("positiveRate", positive.perSecond(nowMs));
        s.put("negativeRate", negative.perSecond(nowMs));
        s.put("positivePerSecond", positive.series(nowMs));
        s.put("negativePerSecond", negative.series(nowMs));
        return s;
    }
}
