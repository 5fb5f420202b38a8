package io.streamnet.training;

import java.util.Arrays;

/**
 * One key's truncated-BPTT window in a stream of labelled steps (token ids, or feature vectors for a
 * feature model: then {@code tokens} are unused): the steps and labels since
 * the window's start (at most k2), how many arrived since the key's last update, and the hidden
 * state at the window's start (the model's state layout, flat; null: the initial state). What a
 * runtime keeps per key (Flink keyed state); {@link WindowTrainer} reads and advances it.
 */
public final class KeyWindow {
    final String key;
    int[] tokens;
    /** A feature model's steps (null for a token model); the arrays are the events' own, not copied. */
    float[][] features;
    int[] labels;
    int length;
    int sinceUpdate;
    float[] startState;

    public KeyWindow(String key, int capacity) {
        this(key, capacity, false);
    }

    public KeyWindow(String key, int capacity, boolean featureSteps) {
        this.key = key;
        this.tokens = new int[capacity];
        this.labels = new int[capacity];
        this.features = featureSteps ? new float[capacity][] : null;
    }

    /** A feature window as a runtime kept it. */
    public KeyWindow(String key, int capacity, float[][] features, int[] labels, int sinceUpdate, float[] startState) {
        this(key, capacity, new int[features.length], labels, sinceUpdate, startState);
        this.features = java.util.Arrays.copyOf(features, capacity);
    }

    /** A window as a runtime kept it (its state backend's copy of {@link #tokens()}, {@link #labels()} and the rest). */
    public KeyWindow(String key, int capacity, int[] tokens, int[] labels, int sinceUpdate, float[] startState) {
        if (tokens.length != labels.length || tokens.length > capacity || sinceUpdate < 0 || sinceUpdate > tokens.length) {
            throw new IllegalArgumentException("window of " + tokens.length + " tokens, " + labels.length + " labels, "
                    + sinceUpdate + " new, for a capacity of " + capacity);
        }
        this.key = key;
        this.tokens = java.util.Arrays.copyOf(tokens, capacity);
        this.labels = java.util.Arrays.copyOf(labels, capacity);
        this.length = tokens.length;
        this.sinceUpdate = sinceUpdate;
        this.startState = startState;
    }

    public String key() {
        return key;
    }

    /** Steps held (the window's length if it ran now). */
    public int length() {
        return length;
    }

    /** Labelled steps since the last update: the steps the next window's loss covers. */
    public int sinceUpdate() {
        return sinceUpdate;
    }

    /** The hidden state at the window's start, flat (null: the model's initial state). */
    public float[] startState() {
        return startState;
    }

    /** The steps held, oldest first (a copy). */
    public int[] tokens() {
        return Arrays.copyOf(tokens, length);
    }

    /** A feature window's steps (a copy of the array; null for tokens). */
    public float[][] features() {
        return features == null ? null : Arrays.copyOf(features, length);
    }

    /** Their labels (a copy). */
    public int[] labels() {
        return Arrays.copyOf(labels, length);
    }

    void append(float[] x, int label) {
        features[length] = x;
        append(0, label);
    }

    void append(int token, int label) {
        tokens[length] = token;
        labels[length] = label;
        length++;
        sinceUpdate++;
    }

    /** Drops the first {@code d} steps; the window now starts from {@code state}. */
    void advance(int d, float[] state) {
        System.arraycopy(tokens, d, tokens, 0, length - d);
        System.arraycopy(labels, d, labels, 0, length - d);
        if (features != null) {
            System.arraycopy(features, d, features, 0, length - d);
            Arrays.fill(features, length - d, length, null);
        }
        length -= d;
        sinceUpdate = 0;
        startState = state;
    }
}
