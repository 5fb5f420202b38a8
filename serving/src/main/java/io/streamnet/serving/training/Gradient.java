package io.streamnet.serving.training;

import io.streamnet.engine.nn.Parameter;
import java.util.List;

/**
 * The summed gradient of a number of TBPTT windows, computed against model {@code version}: what a
 * training subtask sends to the model owner. {@code values} holds one array per parameter, in the
 * model's parameter order.
 *
 * @param windows how many windows it sums (each the gradient of its mean loss)
 * @param lossSum the sum of those windows' mean losses
 */
public record Gradient(long version, int windows, double lossSum, float[][] values) {
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
