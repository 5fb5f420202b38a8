package io.streamnet.dashboard.aggregate;

import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * What the pipeline page shows, in bounded memory: predictions per second over the last
 * {@link #WINDOW_SECONDS} seconds, end-to-end latency p50/p99 over the last {@link #LATENCIES}
 * predictions, live accuracy where labels arrive, dead letters by reason with the newest few.
 */
public final class PipelineStats {
    public static final int WINDOW_SECONDS = 60;
    public static final int LATENCIES = 4096;
    public static final int NEWEST_DEAD_LETTERS = 10;

    /** A dead letter as shown: its reason, detail and where it came from. */
    public record DeadLetterView(String reason, String detail, String source, long time) {
    }

    private final long[] perSecond = new long[WINDOW_SECONDS];
    private final long[] secondOf = new long[WINDOW_SECONDS];
    private final long[] latencies = new long[LATENCIES];
    private long predictions;
    private long labelled;
    private long correct;
    private final Map<String, Long> deadLettersByReason = new TreeMap<>();
    private final Deque<DeadLetterView> newestDeadLetters = new ArrayDeque<>();
    private long deadLetters;

    public synchronized void prediction(long nowMs, long latencyMs, Integer trueLabel, int label) {
        long second = nowMs / 1000;
        int slot = (int) (second % WINDOW_SECONDS);
        if (secondOf[slot] != second) {
            secondOf[slot] = second;
            perSecond[slot] = 0;
        }
        perSecond[slot]++;
        latencies[(int) (predictions % LATENCIES)] = latencyMs;
        predictions++;
        if (trueLabel != null) {
            labelled++;
            correct += trueLabel == label ? 1 : 0;
        }
    }

    public synchronized void deadLetter(DeadLetterView d) {
        deadLetters++;
        deadLettersByReason.merge(d.reason(), 1L, Long::sum);
        newestDeadLetters.addFirst(d);
        while (newestDeadLetters.size() > NEWEST_DEAD_LETTERS) {
            newestDeadLetters.removeLast();
        }
    }

    /** Predictions per second over the full seconds of the window before {@code nowMs}. */
    public synchronized double predictionsPerSecond(long nowMs) {
        long now = nowMs / 1000;
        long sum = 0;
        for (int i = 0; i < WINDOW_SECONDS; i++) {
            if (secondOf[i] < now && secondOf[i] >= now - WINDOW_SECONDS) {
                sum += perSecond[i];
            }
        }
        return sum / (double) WINDOW_SECONDS;
    }

    /** The {@code p}-th percentile (0-100) of the latencies held, or -1 with none. */
    public synchronized long latencyPercentile(double p) {
        int n = (int) Math.min(predictions, LATENCIES);
        if (n == 0) {
            return -1;
        }
        long[] s = Arrays.copyOf(latencies, n);
        Arrays.sort(s);
        return s[Math.min(n - 1, (int) Math.ceil(p / 100 * n) - 1 < 0 ? 0 : (int) Math.ceil(p / 100 * n) - 1)];
    }

    public synchronized long predictions() {
        return predictions;
    }

    /** Accuracy over the predictions that carried their true label, or NaN with none. */
    public synchronized double accuracy() {
        return labelled == 0 ? Double.NaN : (double) correct / labelled;
    }

    public synchronized long deadLetters() {
        return deadLetters;
    }

    public synchronized Map<String, Long> deadLettersByReason() {
        return new LinkedHashMap<>(deadLettersByReason);
    }

    public synchronized java.util.List<DeadLetterView> newestDeadLetters() {
        return java.util.List.copyOf(newestDeadLetters);
    }
}
