package io.streamnet.flink.training;

import io.streamnet.training.Gradient;
import io.streamnet.training.HeldOutSet;

/**
 * What a training subtask sends the model owner: a summed gradient (its values flat, in the model's
 * parameter order) or one held-out sequence to score candidates on. A public class with public
 * fields and primitive arrays, so Flink serializes it as a POJO (not Kryo).
 */
public class TrainingMessage {
    public long version;
    public int windows;
    public double lossSum;
    /** The gradient, flat; null for a held-out sequence. */
    public float[] values;
    public long oldestMs;
    public long newestMs;
    /** Who published the version the gradient was computed on (its checkpoint's owner); null: unnamed. */
    public String owner;
    /** A held-out sequence's tokens and labels (null for a gradient). */
    public int[] tokens;
    public int[] labels;

    public TrainingMessage() {
    }

    public static TrainingMessage of(Gradient g) {
        TrainingMessage m = new TrainingMessage();
        m.version = g.version();
        m.windows = g.windows();
        m.lossSum = g.lossSum();
        int n = 0;
        for (float[] v : g.values()) {
            n += v.length;
        }
        m.values = new float[n];
        int at = 0;
        for (float[] v : g.values()) {
            System.arraycopy(v, 0, m.values, at, v.length);
            at += v.length;
        }
        m.oldestMs = g.oldestMs();
        m.newestMs = g.newestMs();
        return m;
    }

    public static TrainingMessage heldOut(int[] tokens, int[] labels) {
        TrainingMessage m = new TrainingMessage();
        m.tokens = tokens;
        m.labels = labels;
        return m;
    }

    public static TrainingMessage heldOut(HeldOutSet.Example e) {
        return heldOut(e.tokens(), e.labels());
    }

    public boolean isGradient() {
        return values != null;
    }

    /**
     * The gradient split into parameters of {@code sizes}.
     *
     * @throws IllegalArgumentException when its length is not their sum (a gradient of another model)
     */
    public Gradient gradient(int[] sizes) {
        long total = 0;
        for (int s : sizes) {
            total += s;
        }
        if (values == null || values.length != total) {
            throw new IllegalArgumentException("gradient of " + (values == null ? 0 : values.length)
                    + " values for a model of " + total);
        }
        float[][] v = new float[sizes.length][];
        int at = 0;
        for (int i = 0; i < sizes.length; i++) {
            v[i] = new float[sizes[i]];
            System.arraycopy(values, at, v[i], 0, sizes[i]);
            at += sizes[i];
        }
        return new Gradient(version, windows, lossSum, v, oldestMs, newestMs);
    }

    public HeldOutSet.Example example() {
        return new HeldOutSet.Example(tokens, labels);
    }

    @Override
    public String toString() {
        return isGradient() ? "Gradient{v" + version + ", " + windows + " windows}" : "HeldOut{" + tokens.length + " steps}";
    }
}
