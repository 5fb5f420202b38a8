package io.streamnet.dashboard.aggregate;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What the pipeline page shows, in bounded memory: events in and predictions out per second over
 * the last {@link #SECONDS} seconds, end-to-end latency p50/p99 over the last {@link #LATENCIES}
 * predictions, dead letters by reason with the newest few, and the job's restarts (from its
 * metrics, when the dashboard is told where they are).
 */
public final class PipelineStats {
    public static final int SECONDS = 120;
    public static final int LATENCIES = 4096;
    public static final int NEWEST_DEAD_LETTERS = 10;
    /** Distinct dead-letter reasons counted by name; any further reason counts as {@link #OTHER}. */
    public static final int REASONS_HELD = 64;
    /** Reasons a snapshot names, the most frequent first; the rest are summed as {@link #OTHER}. */
    public static final int REASONS_SHOWN = 20;
    public static final String OTHER = "other";

    /** A dead letter as shown: its reason, detail and where it came from. */
    public record DeadLetterView(String reason, String detail, String source, long time) {
    }

    private final RateSeries in = new RateSeries(SECONDS);
    private final RateSeries out = new RateSeries(SECONDS);
    private final long[] latencies = new long[LATENCIES];
    private long events;
    private long predictions;
    private final Map<String, Long> deadLettersByReason = new TreeMap<>();
    private final Deque<DeadLetterView> newestDeadLetters = new ArrayDeque<>();
    private long deadLetters;
    private volatile long restarts = -1;

    /** {@code n} records read from the input topics. */
    public void eventsIn(long nowMs, long n) {
        in.add(nowMs, n);
        synchronized (this) {
            events += n;
        }
    }

    public void prediction(long nowMs, long latencyMs) {
        out.add(nowMs, 1);
        synchronized (this) {
            latencies[(int) (predictions % LATENCIES)] = latencyMs;
            predictions++;
        }
    }

    public synchronized void deadLetter(DeadLetterView d) {
        deadLetters++;
        // the reason is the record's own string: a stream of distinct ones must not grow the map
        String reason = deadLettersByReason.containsKey(d.reason()) || deadLettersByReason.size() < REASONS_HELD
                ? d.reason() : OTHER;
        deadLettersByReason.merge(reason, 1L, Long::sum);
        newestDeadLetters.addFirst(d);
        while (newestDeadLetters.size() > NEWEST_DEAD_LETTERS) {
            newestDeadLetters.removeLast();
        }
    }

    /** The job's restarts as its metrics report them (-1: unknown). */
    public void restarts(long n) {
        restarts = n;
    }

    public long restarts() {
        return restarts;
    }

    public double eventsPerSecond(long nowMs) {
        return in.perSecond(nowMs);
    }

    public double predictionsPerSecond(long nowMs) {
        return out.perSecond(nowMs);
    }

    /** The {@code p}-th percentile (0-100) of the latencies held (nearest rank), or -1 with none. */
    public synchronized long latencyPercentile(double p) {
        int n = (int) Math.min(predictions, LATENCIES);
        if (n == 0) {
            return -1;
        }
        long[] s = Arrays.copyOf(latencies, n);
        Arrays.sort(s);
        int rank = (int) Math.ceil(p / 100 * n);
        return s[Math.max(0, Math.min(n - 1, rank - 1))];
    }

    public synchronized long events() {
        return events;
    }

    public synchronized long predictions() {
        return predictions;
    }

    public synchronized long deadLetters() {
        return deadLetters;
    }

    /**
     * The {@link #REASONS_SHOWN} most frequent reasons, most frequent first (ties by name), and the
     * dead letters of every other reason under {@link #OTHER}.
     */
    public synchronized Map<String, Long> deadLettersByReason() {
        List<Map.Entry<String, Long>> named = new ArrayList<>();
        long other = 0;
        for (Map.Entry<String, Long> e : deadLettersByReason.entrySet()) {
            if (e.getKey().equals(OTHER)) {
                other += e.getValue();
            } else {
                named.add(e);
            }
        }
        named.sort(Map.Entry.<String, Long>comparingByValue().reversed().thenComparing(Map.Entry.comparingByKey()));
        Map<String, Long> out = new LinkedHashMap<>();
        for (int i = 0; i < named.size(); i++) {
            if (i < REASONS_SHOWN) {
                out.put(named.get(i).getKey(), named.get(i).getValue());
            } else {
                other += named.get(i).getValue();
            }
        }
        if (other > 0) {
            out.put(OTHER, other);
        }
        return out;
    }

    public synchronized List<DeadLetterView> newestDeadLetters() {
        return List.copyOf(newestDeadLetters);
    }

    public Map<String, Object> snapshot(long nowMs) {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("events", events());
        p.put("eventsPerSecond", eventsPerSecond(nowMs));
        p.put("predictions", predictions());
        p.put("predictionsPerSecond", predictionsPerSecond(nowMs));
        p.put("eventsInSeries", in.series(nowMs));
        p.put("predictionsOutSeries", out.series(nowMs));
        p.put("latencyP50Ms", latencyPercentile(50));
        p.put("latencyP99Ms", latencyPercentile(99));
        p.put("deadLetters", deadLetters());
        p.put("deadLettersByReason", deadLettersByReason());
        p.put("newestDeadLetters", newestDeadLetters());
        p.put("restarts", restarts < 0 ? null : restarts);
        return p;
    }
}
