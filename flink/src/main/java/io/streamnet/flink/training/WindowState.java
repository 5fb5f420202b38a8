package io.streamnet.flink.training;

import io.streamnet.training.KeyWindow;

/**
 * A key's TBPTT window in keyed state: its steps and their labels, how many are new since its last
 * update, the hidden state at its start, and the last token (whose label, the next token, has not
 * arrived yet). A public class with public fields and primitive arrays: a Flink POJO.
 */
public class WindowState {
    public int[] tokens;
    public int[] labels;
    public int sinceUpdate;
    /** Null: the model's initial state. */
    public float[] startState;
    /** The last token seen, waiting for its label; -1: none. */
    public int pending = -1;
    /** A feature model's steps, flat (steps x width); null for tokens. */
    public float[] features;
    public int width;

    public WindowState() {
    }

    static WindowState of(KeyWindow w, int pending) {
        WindowState s = new WindowState();
        s.tokens = w.tokens();
        s.labels = w.labels();
        s.sinceUpdate = w.sinceUpdate();
        s.startState = w.startState();
        s.pending = pending;
        float[][] f = w.features();
        if (f != null) {
            s.width = f.length == 0 ? 0 : f[0].length;
            s.features = new float[f.length * s.width];
            for (int i = 0; i < f.length; i++) {
                System.arraycopy(f[i], 0, s.features, i * s.width, s.width);
            }
            s.tokens = new int[0];
        }
        return s;
    }

    KeyWindow window(String key, int capacity) {
        if (features == null) {
            return new KeyWindow(key, capacity, tokens, labels, sinceUpdate, startState);
        }
        float[][] f = new float[labels.length][];
        for (int i = 0; i < f.length; i++) {
            f[i] = java.util.Arrays.copyOfRange(features, i * width, (i + 1) * width);
        }
        return new KeyWindow(key, capacity, f, labels, sinceUpdate, startState);
    }
}
