package io.streamnet.rnn.train;

import io.streamnet.engine.tensor.Tensor;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * A mini-batch of sequences, time-major and sorted by length (longest first), so that step t
 * computes only the first {@link #active(int)} rows: shorter sequences simply stop, and their final
 * state stays in place (the packed-sequence idea). {@link #order()} maps sorted rows back.
 *
 * <p>Inputs are token ids or feature vectors; targets are a label/value per sequence (many-to-one)
 * or per step (many-to-many), or absent (inference).
 */
public final class SequenceBatch {
    private final int size;
    private final int steps;
    private final int[] lengths;
    private final int[] order;
    private final int[][] tokens;
    private final Tensor[] features;
    private final int[] labels;
    private final Tensor targets;
    private final int[][] stepLabels;
    private final Tensor[] stepTargets;

    private SequenceBatch(int[] lengths, int[] order, int[][] tokens, Tensor[] features, int[] labels, Tensor targets,
                          int[][] stepLabels, Tensor[] stepTargets) {
        this.size = lengths.length;
        this.steps = size == 0 ? 0 : lengths[0];
        this.lengths = lengths;
        this.order = order;
        this.tokens = tokens;
        this.features = features;
        this.labels = labels;
        this.targets = targets;
        this.stepLabels = stepLabels;
        this.stepTargets = stepTargets;
    }

    /** Token sequences with one class label each (many-to-one); labels may be null for inference. */
    public static SequenceBatch tokens(List<int[]> seqs, int[] labels) {
        int[] order = sortByLength(seqs.stream().map(s -> s.length).toList());
        int[] lengths = lengths(order, seqs.stream().map(s -> s.length).toList());
        int[][] tok = timeMajorInts(order, lengths, seqs);
        int[] lab = null;
        if (labels != null) {
            lab = new int[order.length];
            for (int i = 0; i < order.length; i++) {
                lab[i] = labels[order[i]];
            }
        }
        return new SequenceBatch(lengths, order, tok, null, lab, null, null, null);
    }

    /** Token sequences with a class label per step (many-to-many), e.g. next characters. */
    public static SequenceBatch tokenSteps(List<int[]> seqs, List<int[]> stepLabels) {
        int[] order = sortByLength(seqs.stream().map(s -> s.length).toList());
        int[] lengths = lengths(order, seqs.stream().map(s -> s.length).toList());
        requireLabelPerStep(seqs.stream().map(x -> x.length).toList(), stepLabels);
        return new SequenceBatch(lengths, order, timeMajorInts(order, lengths, seqs), null, null, null,
                timeMajorInts(order, lengths, stepLabels), null);
    }

    /**
     * Feature sequences (each [T_i][in]); targets per sequence ([out] each, many-to-one) or per step
     * ([T_i][out], many-to-many), either may be null.
     */
    public static SequenceBatch features(List<float[][]> seqs, List<float[]> targets, List<float[][]> stepTargets) {
        int[] order = sortByLength(seqs.stream().map(s -> s.length).toList());
        int[] lengths = lengths(order, seqs.stream().map(s -> s.length).toList());
        Tensor[] feats = timeMajorFloats(order, lengths, seqs);
        Tensor tgt = null;
        if (targets != null) {
            int w = targets.get(0).length;
            tgt = Tensor.zeros(order.length, w);
            for (int i = 0; i < order.length; i++) {
                System.arraycopy(targets.get(order[i]), 0, tgt.data(), i * w, w);
            }
        }
        Tensor[] st = stepTargets == null ? null : timeMajorFloats(order, lengths, stepTargets);
        return new SequenceBatch(lengths, order, null, feats, null, tgt, null, st);
    }

    /**
     * Feature sequences (each [T_i][in]) with a class label per step (many-to-many classification),
     * e.g. a label for every frame of a video from the image features seen so far.
     */
    public static SequenceBatch featureSteps(List<float[][]> seqs, List<int[]> stepLabels) {
        int[] order = sortByLength(seqs.stream().map(s -> s.length).toList());
        int[] lengths = lengths(order, seqs.stream().map(s -> s.length).toList());
        requireLabelPerStep(seqs.stream().map(x -> x.length).toList(), stepLabels);
        return new SequenceBatch(lengths, order, null, timeMajorFloats(order, lengths, seqs), null, null,
                timeMajorInts(order, lengths, stepLabels), null);
    }

    private static void requireLabelPerStep(List<Integer> lengths, List<int[]> stepLabels) {
        for (int i = 0; i < lengths.size(); i++) {
            if (stepLabels.get(i).length != lengths.get(i)) {
                throw new IllegalArgumentException("sequence " + i + " has " + lengths.get(i) + " inputs but "
                        + stepLabels.get(i).length + " labels");
            }
        }
    }

    public int size() {
        return size;
    }

    /**
     * Steps [from, to) of a batch whose sequences all have the same length, as a batch of its own
     * (no copies of the step arrays): the unit of truncated BPTT.
     */
    public SequenceBatch window(int from, int to) {
        if (lengths[size - 1] != steps) {
            throw new IllegalArgumentException("windows need sequences of equal length; lengths range "
                    + lengths[size - 1] + ".." + steps);
        }
        if (from < 0 || to > steps || from >= to) {
            throw new IllegalArgumentException("window [" + from + ", " + to + ") of " + steps + " steps");
        }
        int[] len = new int[size];
        java.util.Arrays.fill(len, to - from);
        return new SequenceBatch(len, order,
                tokens == null ? null : java.util.Arrays.copyOfRange(tokens, from, to),
                features == null ? null : java.util.Arrays.copyOfRange(features, from, to), labels, targets,
                stepLabels == null ? null : java.util.Arrays.copyOfRange(stepLabels, from, to),
                stepTargets == null ? null : java.util.Arrays.copyOfRange(stepTargets, from, to));
    }

    public int steps() {
        return steps;
    }

    /** Rows still running at step t: those whose length exceeds t. */
    public int active(int t) {
        int b = size;
        while (b > 0 && lengths[b - 1] <= t) {
            b--;
        }
        return b;
    }

    public int[] lengths() {
        return lengths;
    }

    /** order()[row] = index of that row's sequence in the list the batch was built from. */
    public int[] order() {
        return order;
    }

    public boolean isTokens() {
        return tokens != null;
    }

    public int[] tokensAt(int t) {
        return tokens[t];
    }

    public Tensor featuresAt(int t) {
        return features[t];
    }

    public int[] labels() {
        return labels;
    }

    public Tensor targets() {
        return targets;
    }

    public int[] stepLabelsAt(int t) {
        return stepLabels == null ? null : stepLabels[t];
    }

    public Tensor stepTargetsAt(int t) {
        return stepTargets == null ? null : stepTargets[t];
    }

    public boolean hasStepTargets() {
        return stepLabels != null || stepTargets != null;
    }

    public boolean hasTargets() {
        return labels != null || targets != null;
    }

    private static int[] sortByLength(List<Integer> lengths) {
        List<Integer> idx = new ArrayList<>();
        for (int i = 0; i < lengths.size(); i++) {
            if (lengths.get(i) <= 0) {
                throw new IllegalArgumentException("sequence " + i + " is empty");
            }
            idx.add(i);
        }
        idx.sort(Comparator.comparingInt((Integer i) -> -lengths.get(i)).thenComparingInt(i -> i));
        return idx.stream().mapToInt(Integer::intValue).toArray();
    }

    private static int[] lengths(int[] order, List<Integer> lens) {
        int[] l = new int[order.length];
        for (int i = 0; i < order.length; i++) {
            l[i] = lens.get(order[i]);
        }
        return l;
    }

    private static int[][] timeMajorInts(int[] order, int[] lengths, List<int[]> seqs) {
        int t = lengths.length == 0 ? 0 : lengths[0];
        int[][] out = new int[t][order.length];
        for (int i = 0; i < order.length; i++) {
            int[] s = seqs.get(order[i]);
            for (int k = 0; k < s.length; k++) {
                out[k][i] = s[k];
            }
        }
        return out;
    }

    private static Tensor[] timeMajorFloats(int[] order, int[] lengths, List<float[][]> seqs) {
        int t = lengths.length == 0 ? 0 : lengths[0];
        int w = seqs.get(order[0])[0].length;
        Tensor[] out = new Tensor[t];
        for (int k = 0; k < t; k++) {
            out[k] = Tensor.zeros(order.length, w);
        }
        for (int i = 0; i < order.length; i++) {
            float[][] s = seqs.get(order[i]);
            for (int k = 0; k < s.length; k++) {
                if (s[k].length != w) {
                    throw new IllegalArgumentException("step " + k + " of sequence " + order[i] + " has " + s[k].length
                            + " features, expected " + w);
                }
                System.arraycopy(s[k], 0, out[k].data(), i * w, w);
            }
        }
        return out;
    }
}
