package io.streamnet.training;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The many-to-many rule of online training, runtime-free: one batch of events runs in rounds, each
 * feeding every key its steps until its window is due (k1 new steps, or the end of its stream),
 * then ONE batched forward/backward over the due windows of all keys ({@link WindowTrainer}).
 * Held-out keys' due windows become examples instead of gradients. Token models learn next-token
 * prediction (a token's label is the token after it, so the last one waits as {@code pending});
 * feature models learn each step's own label. The runtime loads each key's window from its state
 * ({@link #key}), adds the batch's inputs, {@link #run}s, and writes each key's window back.
 */
public final class WindowRounds {
    /** What the rounds give the runtime. */
    public interface Sink {
        /** A held-out key's due window, as an example for the model owner. */
        void heldOut(HeldOutSet.Example e);

        /** A round's due windows were run: their gradients were added to the model's. */
        void learned(int windows, double lossSum, long oldestMs, long newestMs);
    }

    /** One key's inputs in this batch, its window, and how far they are read. */
    public static final class Key {
        final String key;
        final KeyWindow window;
        final List<int[]> parts = new ArrayList<>();
        final List<float[]> steps = new ArrayList<>();
        final List<Integer> stepLabels = new ArrayList<>();
        int pending;
        int part;
        int at;
        int step;
        long newestMs;
        boolean end;

        Key(String key, KeyWindow window, int pending) {
            this.key = key;
            this.window = window;
            this.pending = pending;
        }

        /** Token ids of one event (a token model). */
        public void tokens(int[] ids, long ingestMs) {
            parts.add(ids);
            newestMs = Math.max(newestMs, ingestMs);
        }

        /** One labelled step (a feature model). */
        public void step(float[] x, int label, long ingestMs) {
            steps.add(x);
            stepLabels.add(label);
            newestMs = Math.max(newestMs, ingestMs);
        }

        /** The key's stream ends with this batch: its last steps are learned too, and its window goes. */
        public void end() {
            end = true;
        }

        public boolean ended() {
            return end;
        }

        public KeyWindow window() {
            return window;
        }

        /** The token waiting for its label (the next token); -1: none. */
        public int pending() {
            return pending;
        }

        private boolean hasToken() {
            while (part < parts.size() && at >= parts.get(part).length) {
                part++;
                at = 0;
            }
            return part < parts.size();
        }

        /** Feeds steps until the window is due or the inputs run out; whether it is due. */
        private boolean feed(WindowTrainer trainer) {
            boolean due = false;
            while (!due && step < steps.size()) {
                due = trainer.add(window, steps.get(step), stepLabels.get(step));
                step++;
            }
            while (!due && hasToken()) {
                int t = parts.get(part)[at++];
                if (pending >= 0) {
                    due = trainer.add(window, pending, t);
                }
                pending = t;
            }
            return due || (end && !hasToken() && step == steps.size() && window.sinceUpdate() > 0);
        }
    }

    private final WindowTrainer trainer;
    private final HeldOutSlice heldOut;
    private final Map<String, Key> keys = new LinkedHashMap<>();

    public WindowRounds(WindowTrainer trainer, HeldOutSlice heldOut) {
        this.trainer = trainer;
        this.heldOut = heldOut;
    }

    /** Whether {@code key} was registered in this batch. */
    public Key get(String key) {
        return keys.get(key);
    }

    /** Registers {@code key} with its window as kept (null: a new one) and its pending token. */
    public Key key(String key, KeyWindow kept, int pending) {
        return keys.computeIfAbsent(key, k -> new Key(k, kept == null ? trainer.newWindow(k) : kept, pending));
    }

    /** The keys of this batch, in the order they came. */
    public Iterable<Key> keys() {
        return keys.values();
    }

    /** Runs the rounds; afterwards each key's window is where its inputs left it. */
    public void run(Sink sink) {
        List<KeyWindow> due = new ArrayList<>();
        List<Key> dueKeys = new ArrayList<>();
        while (true) {
            dueKeys.clear();
            for (Key k : keys.values()) {
                if (k.feed(trainer)) {
                    dueKeys.add(k);
                }
            }
            if (dueKeys.isEmpty()) {
                return;
            }
            due.clear();
            long oldest = Long.MAX_VALUE;
            long newest = 0;
            for (Key k : dueKeys) {
                if (heldOut.holds(k.key)) {
                    sink.heldOut(trainer.skip(k.window));
                } else {
                    due.add(k.window);
                    oldest = Math.min(oldest, k.newestMs);
                    newest = Math.max(newest, k.newestMs);
                }
            }
            if (!due.isEmpty()) {
                double loss = trainer.run(due); // adds each window's gradient to the model's
                sink.learned(due.size(), loss, oldest, newest);
            }
        }
    }

    /** Forgets this batch's keys (call after writing their windows back). */
    public void clear() {
        keys.clear();
    }
}
