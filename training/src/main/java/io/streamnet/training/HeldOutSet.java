package io.streamnet.training;

import io.streamnet.engine.tensor.Tensor;
import io.streamnet.rnn.model.OutputType;
import io.streamnet.rnn.model.SequenceModel;
import io.streamnet.rnn.train.SequenceBatch;
import io.streamnet.rnn.train.SequenceTrainer;
import java.util.ArrayList;
import java.util.List;

/**
 * The newest labelled sequences of the held-out keys ({@link HeldOutSlice}), at most
 * {@code capacity}, that the model owner scores candidates on. A many-to-one model scores its
 * accuracy; a many-to-many one minus its mean loss per step (nats), so that higher is better for both.
 */
public final class HeldOutSet {
    /** One held-out sequence: its tokens and its label (many-to-one: one; many-to-many: one per step). */
    public record Example(int[] tokens, int[] labels) {
    }

    private static final int SCORE_BATCH = 64;

    private final int capacity;
    private final Example[] ring;
    private long added;

    public HeldOutSet(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("held-out capacity must be positive, got " + capacity);
        }
        this.capacity = capacity;
        this.ring = new Example[capacity];
    }

    public void add(Example e) {
        ring[(int) (added % capacity)] = e;
        added++;
    }

    /**
     * Continues from {@code examples} (oldest first, as {@link #newest} gives them), {@code added} ever
     * added. A state of more examples than this capacity (the job restarted with a smaller one) keeps
     * the newest that fit: refusing it would fail every restore of the checkpoint.
     */
    public void restore(List<Example> examples, long added) {
        if (added < examples.size()) {
            throw new IllegalArgumentException("held-out state of " + examples.size() + " examples, " + added
                    + " added");
        }
        java.util.Arrays.fill(ring, null);
        List<Example> fit = examples.subList(Math.max(0, examples.size() - capacity), examples.size());
        this.added = added - fit.size();
        for (Example e : fit) {
            add(e);
        }
    }

    /** Examples held now. */
    public int size() {
        return (int) Math.min(added, capacity);
    }

    /** Examples ever added (a position in the stream of held-out examples). */
    public long added() {
        return added;
    }

    public int capacity() {
        return capacity;
    }

    /** The newest {@code n} examples (at most {@link #size()}), oldest first. */
    public List<Example> newest(int n) {
        int k = Math.min(n, size());
        List<Example> out = new ArrayList<>(k);
        for (long i = added - k; i < added; i++) {
            out.add(ring[(int) (i % capacity)]);
        }
        return out;
    }

    /** {@code model}'s score on all examples held. */
    public double score(SequenceModel model) {
        return score(model, newest(size()));
    }

    /** {@code model}'s score on {@code examples}: accuracy (many-to-one) or minus the mean loss (many-to-many). */
    public static double score(SequenceModel model, List<Example> examples) {
        if (examples.isEmpty()) {
            return Double.NaN;
        }
        SequenceTrainer eval = new SequenceTrainer(model, null, 0f, 0);
        boolean manyToOne = model.config().outputType() == OutputType.MANY_TO_ONE;
        double total = 0;
        long weight = 0;
        for (int from = 0; from < examples.size(); from += SCORE_BATCH) {
            List<Example> chunk = examples.subList(from, Math.min(examples.size(), from + SCORE_BATCH));
            List<int[]> seqs = chunk.stream().map(Example::tokens).toList();
            if (manyToOne) {
                int[] y = chunk.stream().mapToInt(e -> e.labels()[0]).toArray();
                Tensor p = eval.predict(SequenceBatch.tokens(seqs, y));
                for (int i = 0; i < y.length; i++) {
                    if (argMax(p, i) == y[i]) {
                        total++;
                    }
                }
                weight += y.length;
            } else {
                int steps = chunk.stream().mapToInt(e -> e.tokens().length).sum();
                total -= (double) eval.loss(SequenceBatch.tokenSteps(seqs,
                        chunk.stream().map(Example::labels).toList())) * steps;
                weight += steps;
            }
        }
        return total / weight;
    }

    private static int argMax(Tensor p, int row) {
        int cols = p.shape()[1];
        int best = 0;
        for (int c = 1; c < cols; c++) {
            if (p.at(row * cols + c) > p.at(row * cols + best)) {
                best = c;
            }
        }
        return best;
    }
}
