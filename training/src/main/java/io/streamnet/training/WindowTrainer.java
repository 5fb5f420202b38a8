package io.streamnet.training;

import io.streamnet.engine.tensor.Tensor;
import io.streamnet.rnn.model.SequenceModel;
import io.streamnet.rnn.state.StateLayout;
import io.streamnet.rnn.train.SequenceBatch;
import io.streamnet.rnn.train.SequenceTrainer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Truncated BPTT(k1, k2) online, per key, batched across keys: every key's labelled steps go into
 * its {@link KeyWindow}; after k1 steps (or at the end of its sequence) the window is due, and the
 * due windows run as batched forward/backward passes on the engine, one per group of equal window
 * shape (in steady state all of them: length k2, loss on the last k1). Each window's gradient is
 * the gradient of its mean loss; they are ADDED to the model's parameter gradients, so a round sums
 * its keys' windows (the runtime applies or ships the sum). A window then keeps its last k2 - k1
 * steps and the hidden state before them, so the next window is rnn-core's next TBPTT window.
 *
 * <p>The same windows one after the other are {@link SequenceTrainer#trainTbptt}'s: k1 steps of new
 * loss per window, back-propagated through at most k2 steps, the hidden state carried on.
 */
public final class WindowTrainer {
    private final SequenceModel model;
    private final SequenceTrainer trainer;
    private final int k1;
    private final int k2;
    private final StateLayout layout;

    public WindowTrainer(SequenceModel model, SequenceTrainer trainer, int k1, int k2) {
        if (k1 <= 0 || k2 < k1) {
            throw new IllegalArgumentException("TBPTT needs 0 < k1 <= k2, got k1=" + k1 + ", k2=" + k2);
        }
        this.model = model;
        this.trainer = trainer;
        this.k1 = k1;
        this.k2 = k2;
        this.layout = model.stateLayout();
    }

    public int k1() {
        return k1;
    }

    public int k2() {
        return k2;
    }

    /**
     * A held-out key's due window, not trained on: its new steps (tokens and labels) as an example to
     * score candidates on, and the window starts afresh (from the initial state: nothing is run).
     */
    public HeldOutSet.Example skip(KeyWindow w) {
        if (w.features != null) {
            throw new IllegalStateException("held-out examples are token sequences; a feature model has no held-out slice");
        }
        int from = w.length - w.sinceUpdate;
        HeldOutSet.Example e = new HeldOutSet.Example(java.util.Arrays.copyOfRange(w.tokens, from, w.length),
                java.util.Arrays.copyOfRange(w.labels, from, w.length));
        w.advance(w.length, null);
        return e;
    }

    /** A new key's window. */
    public KeyWindow newWindow(String key) {
        return new KeyWindow(key, k2, !model.config().tokenInput());
    }

    /**
     * Appends one labelled feature step to {@code w} (a feature model's window).
     *
     * @return whether its window is due (k1 steps since its last update)
     */
    public boolean add(KeyWindow w, float[] x, int label) {
        if (w.features == null) {
            throw new IllegalStateException("window of key " + w.key + " holds token steps");
        }
        if (w.length == k2) {
            throw new IllegalStateException("window of key " + w.key + " is full: run it before adding");
        }
        w.append(x, label);
        return w.sinceUpdate >= k1;
    }

    /**
     * Appends one labelled step to {@code w}.
     *
     * @return whether its window is due (k1 steps since its last update)
     */
    public boolean add(KeyWindow w, int token, int label) {
        if (w.features != null) {
            throw new IllegalStateException("window of key " + w.key + " holds feature steps");
        }
        if (w.length == k2) {
            throw new IllegalStateException("window of key " + w.key + " is full: run it before adding");
        }
        w.append(token, label);
        return w.sinceUpdate >= k1;
    }

    /**
     * Runs the windows of {@code due} (distinct keys, each with at least one step since its last
     * update), adding each one's gradient to the model's, and advances them.
     *
     * @return the sum of the windows' mean losses
     */
    public float run(List<KeyWindow> due) {
        Map<Long, List<KeyWindow>> groups = new LinkedHashMap<>();
        for (KeyWindow w : due) {
            if (w.sinceUpdate == 0) {
                throw new IllegalArgumentException("window of key " + w.key + " has no new step");
            }
            groups.computeIfAbsent(((long) w.length << 32) | w.sinceUpdate, g -> new ArrayList<>()).add(w);
        }
        double loss = 0;
        for (List<KeyWindow> g : groups.values()) {
            loss += runGroup(g);
        }
        return (float) loss;
    }

    // (B) windows of one shape: length L, loss on the last n steps.
    private float runGroup(List<KeyWindow> g) {
        int rows = g.size();
        int length = g.get(0).length;
        int lossFrom = length - g.get(0).sinceUpdate;
        List<int[]> labels = new ArrayList<>(rows);
        for (KeyWindow w : g) {
            labels.add(w.labels());
        }
        SequenceBatch batch;
        if (model.config().tokenInput()) {
            batch = SequenceBatch.tokenSteps(g.stream().map(KeyWindow::tokens).toList(), labels);
        } else {
            batch = SequenceBatch.featureSteps(g.stream().map(KeyWindow::features).toList(), labels);
        }
        int[] order = batch.order(); // sorted row r holds window order[r]
        Tensor[] h0 = new Tensor[layout.layers()];
        Tensor[] c0 = layout.cell().hasCellState() ? new Tensor[layout.layers()] : null;
        int hid = layout.hidden();
        for (int l = 0; l < layout.layers(); l++) {
            h0[l] = Tensor.zeros(rows, hid);
            if (c0 != null) {
                c0[l] = Tensor.zeros(rows, hid);
            }
            for (int r = 0; r < rows; r++) {
                float[] s = g.get(order[r]).startState;
                if (s == null) {
                    s = model.initialState().values();
                }
                int off = l * layout.perLayer();
                System.arraycopy(s, off, h0[l].data(), r * hid, hid);
                if (c0 != null) {
                    System.arraycopy(s, off + hid, c0[l].data(), r * hid, hid);
                }
            }
        }
        // The forward's loss is the mean over all rows' counted outputs: times rows, each window's mean.
        float loss = trainer.windowGradients(batch, h0, c0, lossFrom, rows);
        int keep = k2 - k1;
        int drop = Math.max(0, length - keep);
        Tensor[][] next = drop == 0 ? null : trainer.windowStates(drop);
        for (int r = 0; r < rows; r++) {
            KeyWindow w = g.get(order[r]);
            w.advance(drop, drop == 0 ? w.startState : flat(next, r));
        }
        return loss;
    }

    private float[] flat(Tensor[][] states, int row) {
        float[] s = new float[layout.size()];
        int hid = layout.hidden();
        for (int l = 0; l < layout.layers(); l++) {
            int off = l * layout.perLayer();
            System.arraycopy(states[0][l].data(), states[0][l].offset() + row * hid, s, off, hid);
            if (states[1] != null) {
                System.arraycopy(states[1][l].data(), states[1][l].offset() + row * hid, s, off + hid, hid);
            }
        }
        return s;
    }
}
