package io.streamnet.dashboard.aggregate;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The sentiment page's figures: the most active conversations with their rolling score and score
 * history, positive and negative verdicts per second over the last {@link #SECONDS} seconds, and
 * the accuracy of the verdicts that carried their true label. A rolling score (after each word)
 * moves its key's score and chart; only verdicts (a sequence's final prediction, or a per-step
 * model's) count towards the rates and the accuracy, so a conversation served rolling counts once.
 */
public final class SentimentBoard {
    public static final int ACTIVE_KEYS = 200;
    public static final int KEYS_SHOWN = 50;
    public static final int SECONDS = 120;

    private final ActiveKeys keys = new ActiveKeys(ACTIVE_KEYS);
    private final RateSeries positive = new RateSeries(SECONDS);
    private final RateSeries negative = new RateSeries(SECONDS);
    private long verdicts;
    private long labelled;
    private long correct;

    public void prediction(long nowMs, String key, double score, int label, long step, long modelVersion,
                           Integer trueLabel, boolean rolling) {
        keys.update(key, score, label, step, modelVersion);
        if (rolling) {
            return;
        }
        (label == 1 ? positive : negative).add(nowMs, 1);
        synchronized (this) {
            verdicts++;
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
            s.put("verdicts", verdicts);
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
