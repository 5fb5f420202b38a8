package io.streamnet.flink.training;

import io.streamnet.serving.training.KeyWindow;

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

    public WindowState() {
    }

    static WindowState of(KeyWindow w, int pending) {
        WindowState s = new WindowState();
        s.tokens = w.tokens();
        s.labels = w.labels();
        s.sinceUpdate = w.sinceUpdate();
        s.startState = w.startState();
        s.pending = pending;
        return s;
    }

    KeyWindow window(String key, int capacity) {
        return new KeyWindow(key, capacity, tokens, labels, sinceUpdate, startState);
    }
}
