package io.streamnet.training;

import io.streamnet.engine.nn.Parameter;
import java.util.List;

/**
 * The summed gradient of a number of training windows, computed against model {@code version}:
 * what a training subtask sends to the model owner. {@code values} holds one array per parameter,
 * in the model's parameter order.
 *
 * @param windows    how many windows (or whole labelled sequences) it sums, each the gradient of its mean loss
 * @param lossSum    the sum of those windows' mean losses
 * @param oldestMs   ingestion time of the oldest labelled event it learned from (0: unknown)
 * @param newestMs   ingestion time of the newest one (0: unknown)
 */
public record Gradient(long version, int windows, double lossSum, float[][] values, long oldestMs, long newestMs) {
    public Gradient(long version, int windows, double lossSum, float[][] values) {
        this(version, windows, lossSum, values, 0, 0);
    }

    /** The gradients the model's parameters hold now. */
    public static Gradient of(long version, int windows, double lossSum, List<Parameter> params) {
        float[][] v = new float[params.size()][];
        for (int i = 0; i < v.length; i++) {
            v[i] = params.get(i).grad().toArray();
        }
        return new Gradient(version, windows, lossSum, v);
    }

    /** Mean loss per window. */
    public double meanLoss() {
        return windows == 0 ? Double.NaN : lossSum / windows;
    }

    /** Whether every value is finite. */
    public boolean finite() {
        if (!Double.isFinite(lossSum)) {
            return false;
        }
        for (float[] a : values) {
            for (float x : a) {
                if (!Float.isFinite(x)) {
                    return false;
                }
            }
        }
        return true;
    }
}
