package io.streamnet.rnn.recipe;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamnet.engine.cpu.CpuBackend;
import io.streamnet.rnn.cell.CellType;
import io.streamnet.rnn.data.LabelledSentence;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The recipe's k-fold cross-validation, with early stopping and weight decay, on a task it must learn. */
class SentimentCrossValidationTest {
    /** Sentences whose label is whether "good" or "bad" comes last among filler words. */
    static List<LabelledSentence> separable() {
        String[] filler = {"the", "phone", "was", "really", "quite", "my", "it"};
        Random r = new Random(5);
        List<LabelledSentence> out = new ArrayList<>();
        for (String src : List.of("a", "b")) {
            for (int i = 0; i < 60; i++) {
                int label = i % 2;
                StringBuilder s = new StringBuilder();
                for (int w = 0; w < 3 + r.nextInt(4); w++) {
                    s.append(filler[r.nextInt(filler.length)]).append(' ');
                }
                s.append(label == 1 ? "good" : "bad");
                out.add(new LabelledSentence(s.toString(), label, src));
            }
        }
        return out;
    }

    @Test
    void everyFoldOfASeparableTaskIsLearnedAndTheRunRepeats() {
        SentimentTask.Options o = new SentimentTask.Options(CellType.GRU, 8, 12, 1, 0f, 30, 16, 1e-2f, 100, 3, 1e-3f);
        SentimentTask.CrossValidation cv = SentimentTask.crossValidate(CpuBackend.instance(), separable(), o, 4, 3, 7);

        assertThat(cv.test()).hasSize(4);
        assertThat(cv.min()).isGreaterThan(0.9);
        assertThat(cv.std()).isLessThan(0.1);
        assertThat(SentimentTask.crossValidate(CpuBackend.instance(), separable(), o, 4, 3, 7).test())
                .containsExactly(cv.test());
    }

    @Test
    void earlyStoppingKeepsTheEpochsOfTheBestValidationAccuracy() {
        SentimentTask.Options o = new SentimentTask.Options(CellType.GRU, 8, 12, 1, 0f, 40, 16, 1e-2f, 100, 3, 0f);
        var all = separable();
        var split = io.streamnet.rnn.data.SentimentDataset.split(all, 0.7, 0.15, 7);
        SentimentTask.Result r = SentimentTask.train(CpuBackend.instance(), split, o, 2,
                io.streamnet.rnn.train.SequenceClassification.Listener.NONE);

        assertThat(r.epochs()).isBetween(1, 40);
        assertThat(r.validationAccuracy()).isGreaterThan(0.9);
    }
}
