package io.streamnet.training;

import io.streamnet.rnn.model.OutputType;
import io.streamnet.rnn.model.SequenceModel;
import io.streamnet.rnn.train.SequenceBatch;
import io.streamnet.rnn.train.SequenceTrainer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Many-to-one online training: a key's tokens since its sequence began (at most the last
 * {@code maxSteps}, the truncation), learned from when its end marker brings the label. The
 * sequences completed since the last round run as ONE batched forward/backward (keys of different
 * lengths in one batch, as rnn-core batches them), each contributing the gradient of its own loss:
 * the sum over sequences, what the model owner averages per window.
 */
public final class SequenceExamples {
    private final SequenceModel model;
    private final SequenceTrainer trainer;
    private final int maxSteps;
    private final List<int[]> seqs = new ArrayList<>();
    private final List<Integer> labels = new ArrayList<>();
    private long oldestMs = Long.MAX_VALUE;
    private long newestMs;

    public SequenceExamples(SequenceModel model, SequenceTrainer trainer, int maxSteps) {
        if (model.config().outputType() != OutputType.MANY_TO_ONE || !model.config().tokenInput()) {
            throw new IllegalArgumentException("many-to-one training needs a token MANY_TO_ONE model, got "
                    + model.config().outputType());
        }
        if (maxSteps < 1) {
            throw new IllegalArgumentException("max steps must be positive, got " + maxSteps);
        }
        this.model = model;
        this.trainer = trainer;
        this.maxSteps = maxSteps;
    }

    /** {@code tokens} then {@code more}, keeping the last {@link #maxSteps()} (a key's state between events). */
    public int[] append(int[] tokens, int[] more) {
        int n = (tokens == null ? 0 : tokens.length) + more.length;
        int keep = Math.min(n, maxSteps);
        int[] out = new int[keep];
        int fromMore = Math.min(more.length, keep);
        int fromOld = keep - fromMore;
        if (fromOld > 0) {
            System.arraycopy(tokens, tokens.length - fromOld, out, 0, fromOld);
        }
        System.arraycopy(more, more.length - fromMore, out, fromOld, fromMore);
        return out;
    }

    public int maxSteps() {
        return maxSteps;
    }

    /** Queues a labelled sequence for the next round; an empty one teaches nothing and is skipped. */
    public void add(int[] tokens, int label, long ingestMs) {
        if (label < 0 || label >= model.config().outputSize()) {
            throw new IllegalArgumentException("label " + label + " outside the model's " + model.config().outputSize()
                    + " classes");
        }
        if (tokens == null || tokens.length == 0) {
            return;
        }
        seqs.add(tokens);
        labels.add(label);
        oldestMs = Math.min(oldestMs, ingestMs);
        newestMs = Math.max(newestMs, ingestMs);
    }

    public int pending() {
        return seqs.size();
    }

    /** Runs the queued sequences as one batch and adds their summed gradient to {@code sum}; returns the loss sum. */
    public double run(GradientSum sum) {
        int n = seqs.size();
        if (n == 0) {
            return 0;
        }
        int[] y = labels.stream().mapToInt(Integer::intValue).toArray();
        float mean = trainer.gradients(SequenceBatch.tokens(seqs, y)); // gradient of the batch's mean loss
        double loss = (double) mean * n;
        sum.add(model.parameters(), n, n, loss, oldestMs, newestMs);
        seqs.clear();
        labels.clear();
        oldestMs = Long.MAX_VALUE;
        newestMs = 0;
        return loss;
    }

    /** The queued sequences, for tests. */
    List<int[]> queued() {
        return List.copyOf(seqs.stream().map(s -> Arrays.copyOf(s, s.length)).toList());
    }
}
