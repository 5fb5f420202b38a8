package io.streamnet.kafka.tail;

import io.streamnet.schemas.Prediction;
import io.streamnet.schemas.PredictionKind;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Running figures over tailed predictions: count and rate, processing latency (the pipeline's
 * {@code latencyMs}) and end-to-end latency (event time to arrival here) percentiles, and accuracy
 * against the input labels when predictions carry them, overall and per prediction kind (a topic
 * may carry conversations' MANY_TO_ONE beside frames' FRAME predictions). Latencies are kept in a growing array:
 * a tail session sees thousands to millions of records, not billions.
 */
public final class TailStats {
    private long count;
    private long labelled;
    private long correct;
    private long firstArrival = -1;
    private long lastArrival;
    private long[] processing = new long[1024];
    private long[] endToEnd = new long[1024];
    /** Per kind: {labelled, correct}. */
    private final Map<PredictionKind, long[]> byKind = new EnumMap<>(PredictionKind.class);

    public void record(Prediction p, long arrivalMillis) {
        if (firstArrival < 0) {
            firstArrival = arrivalMillis;
        }
        lastArrival = arrivalMillis;
        if (count == processing.length) {
            processing = Arrays.copyOf(processing, processing.length * 2);
            endToEnd = Arrays.copyOf(endToEnd, endToEnd.length * 2);
        }
        processing[(int) count] = p.getLatencyMs();
        endToEnd[(int) count] = Math.max(0, arrivalMillis - p.getEventTime().toEpochMilli());
        count++;
        if (p.getTrueLabel() != null) {
            labelled++;
            long[] k = byKind.computeIfAbsent(p.getKind(), x -> new long[2]);
            k[0]++;
            if (p.getTrueLabel() == p.getLabel()) {
                correct++;
                k[1]++;
            }
        }
    }

    public long count() {
        return count;
    }

    /** Accuracy over predictions that carried a label, or NaN when none did. */
    public double accuracy() {
        return labelled == 0 ? Double.NaN : (double) correct / labelled;
    }

    /** Accuracy over the predictions of one kind that carried a label, or NaN when none did. */
    public double accuracy(PredictionKind kind) {
        long[] k = byKind.get(kind);
        return k == null || k[0] == 0 ? Double.NaN : (double) k[1] / k[0];
    }

    public double ratePerSecond() {
        long span = lastArrival - firstArrival;
        return span <= 0 ? Double.NaN : 1000.0 * (count - 1) / span;
    }

    /** The q-quantile (0..1) of processing latency in ms, nearest rank. */
    public long processingPercentile(double q) {
        return percentile(processing, q);
    }

    public long endToEndPercentile(double q) {
        return percentile(endToEnd, q);
    }

    private long percentile(long[] values, double q) {
        if (count == 0) {
            return -1;
        }
        long[] sorted = Arrays.copyOf(values, (int) count);
        Arrays.sort(sorted);
        int rank = (int) Math.ceil(q * count) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank))];
    }

    public String summary() {
        return String.format("%d predictions, %.1f/s, processing latency p50/p95/p99 %d/%d/%d ms, "
                        + "end-to-end p50/p99 %d/%d ms, accuracy %s", count, ratePerSecond(), processingPercentile(0.5),
                processingPercentile(0.95), processingPercentile(0.99), endToEndPercentile(0.5), endToEndPercentile(0.99),
                labelled == 0 ? "n/a (no labels)" : String.format("%.4f over %d labelled", accuracy(), labelled)
                        + (byKind.size() < 2 ? "" : byKind.entrySet().stream()
                        .map(e -> String.format(Locale.ROOT, "%s %.4f/%d", e.getKey(), (double) e.getValue()[1]
                                / e.getValue()[0], e.getValue()[0])).collect(Collectors.joining(", ", " (", ")"))));
    }
}
