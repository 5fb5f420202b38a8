package io.streamnet.training;

import io.streamnet.engine.nn.Parameter;
import java.util.List;

/**
 * A training subtask's running sum of window gradients between two shipments to the model owner,
 * with the windows, loss and event times they cover. Sized once for the model; {@link #take}
 * ships and clears it.
 */
public final class GradientSum {
    private final float[][] sum;
    private int windows;
    private double lossSum;
    private long oldestMs = Long.MAX_VALUE;
    private long newestMs;

    public GradientSum(List<Parameter> params) {
        sum = new float[params.size()][];
        for (int i = 0; i < sum.length; i++) {
            sum[i] = new float[params.get(i).value().size()];
        }
    }

    /**
     * Adds {@code weight} times the gradients the parameters hold now: {@code windows} windows
     * whose mean losses sum to {@code lossSum}, from events ingested between the two times.
     */
    public void add(List<Parameter> params, float weight, int windows, double lossSum, long oldestMs, long newestMs) {
        if (params.size() != sum.length) {
            throw new IllegalArgumentException("gradient of " + params.size() + " parameters for a sum of " + sum.length);
        }
        for (int i = 0; i < sum.length; i++) {
            float[] g = params.get(i).grad().data();
            int off = params.get(i).grad().offset();
            float[] s = sum[i];
            for (int j = 0; j < s.length; j++) {
                s[j] += weight * g[off + j];
            }
        }
        this.windows += windows;
        this.lossSum += lossSum;
        this.oldestMs = Math.min(this.oldestMs, oldestMs);
        this.newestMs = Math.max(this.newestMs, newestMs);
    }

    public int windows() {
        return windows;
    }

    /** The sum as a gradient against {@code version}, and a fresh start. */
    public Gradient take(long version) {
        float[][] values = new float[sum.length][];
        for (int i = 0; i < sum.length; i++) {
            values[i] = sum[i].clone();
            java.util.Arrays.fill(sum[i], 0f);
        }
        Gradient g = new Gradient(version, windows, lossSum, values, windows == 0 ? 0 : oldestMs, newestMs);
        windows = 0;
        lossSum = 0;
        oldestMs = Long.MAX_VALUE;
        newestMs = 0;
        return g;
    }
}
