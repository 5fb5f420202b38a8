package io.streamnet.rnn.train;

import io.streamnet.engine.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/** Epochs of shuffled mini-batches for many-to-one token classification, and accuracy. */
public final class SequenceClassification {
    private SequenceClassification() {
    }

    /** Progress per batch (e.g. a progress bar). */
    public interface Listener {
        Listener NONE = (epoch, done, total, loss) -> { };

        void batchDone(int epoch, int sequencesDone, int sequencesTotal, float loss);
    }

    /** Trains {@code epochs} passes; returns the mean loss of the last. Empty sequences are skipped. */
    public static float fit(SequenceTrainer trainer, List<int[]> seqs, int[] labels, int epochs, int batchSize,
                            long seed, Listener listener) {
        List<Integer> idx = new ArrayList<>();
        for (int i = 0; i < seqs.size(); i++) {
            if (seqs.get(i).length > 0) {
                idx.add(i);
            }
        }
        Random rng = new Random(seed);
        float last = Float.NaN;
        for (int e = 0; e < epochs; e++) {
            java.util.Collections.shuffle(idx, rng);
            double sum = 0;
            for (int from = 0; from < idx.size(); from += batchSize) {
                List<Integer> part = idx.subList(from, Math.min(idx.size(), from + batchSize));
                List<int[]> b = new ArrayList<>(part.size());
                int[] lab = new int[part.size()];
                for (int i = 0; i < part.size(); i++) {
                    b.add(seqs.get(part.get(i)));
                    lab[i] = labels[part.get(i)];
                }
                float loss = trainer.trainBatch(SequenceBatch.tokens(b, lab));
                sum += (double) loss * part.size();
                listener.batchDone(e, from + part.size(), idx.size(), loss);
            }
            last = (float) (sum / Math.max(1, idx.size()));
        }
        return last;
    }

    /** Predicted class per sequence (an empty sequence is predicted from the initial state). */
    public static int[] predict(SequenceTrainer trainer, List<int[]> seqs, int batchSize) {
        int[] out = new int[seqs.size()];
        for (int from = 0; from < seqs.size(); from += batchSize) {
            List<int[]> part = new ArrayList<>();
            for (int i = from; i < Math.min(seqs.size(), from + batchSize); i++) {
                int[] s = seqs.get(i);
                part.add(s.length == 0 ? new int[] {0} : s);
            }
            Tensor p = trainer.predict(SequenceBatch.tokens(part, null));
            for (int i = 0; i < part.size(); i++) {
                Tensor row = p.row(i);
                int best = 0;
                for (int c = 1; c < row.size(); c++) {
                    if (row.at(c) > row.at(best)) {
                        best = c;
                    }
                }
                out[from + i] = best;
            }
        }
        return out;
    }

    public static double accuracy(SequenceTrainer trainer, List<int[]> seqs, int[] labels, int batchSize) {
        int[] pred = predict(trainer, seqs, batchSize);
        int ok = 0;
        for (int i = 0; i < pred.length; i++) {
            if (pred[i] == labels[i]) {
                ok++;
            }
        }
        return seqs.isEmpty() ? 0 : (double) ok / seqs.size();
    }
}
