package io.streamnet.rnn.data;

import static io.streamnet.datasets.DatasetAssumptions.assumeAvailable;
import static org.assertj.core.api.Assertions.assertThat;

import io.streamnet.engine.cpu.CpuBackend;
import io.streamnet.engine.nn.optim.Adam;
import io.streamnet.engine.nn.optim.LearningRateSchedule;
import io.streamnet.rnn.cell.CellType;
import io.streamnet.rnn.model.ModelConfig;
import io.streamnet.rnn.model.OutputType;
import io.streamnet.rnn.model.SequenceModel;
import io.streamnet.rnn.text.Vocabulary;
import io.streamnet.rnn.train.SequenceClassification;
import io.streamnet.rnn.train.SequenceTrainer;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Many-to-one sentiment on the real UCI sentences: trained on the fixed-seed train split, scored on
 * the held-out test split. Chance is 0.5; a broken backward pass stays near it.
 */
class SentimentLearningTest {
    @Test
    void gruLearnsSentimentWellAboveChanceOnHeldOutSentences() throws Exception {
        SentimentDataset.Split split = SentimentDataset.split(SentimentDataset.loadAll(assumeAvailable(SentimentDataset::locate)),
                0.7, 0.15, 7);
        Vocabulary vocab = Vocabulary.words(split.train().stream().map(LabelledSentence::text).toList(), 4000, 1);
        CpuBackend cpu = CpuBackend.instance();
        SequenceModel model = new SequenceModel(cpu,
                ModelConfig.tokens(CellType.GRU, vocab.size(), 32, 64, 1, 0f, 2, OutputType.MANY_TO_ONE), 3);
        SequenceTrainer trainer = new SequenceTrainer(model, new Adam(cpu, LearningRateSchedule.constant(3e-3f)), 5f, 3);
        List<int[]> train = split.train().stream().map(s -> vocab.encode(s.text())).toList();
        int[] trainLabels = split.train().stream().mapToInt(LabelledSentence::label).toArray();
        List<int[]> test = split.test().stream().map(s -> vocab.encode(s.text())).toList();
        int[] testLabels = split.test().stream().mapToInt(LabelledSentence::label).toArray();
        long t0 = System.nanoTime();
        SequenceClassification.fit(trainer, train, trainLabels, 6, 32, 5, SequenceClassification.Listener.NONE);
        double acc = SequenceClassification.accuracy(trainer, test, testLabels, 64);
        System.out.printf("sentiment GRU: %d train / %d test sentences, test accuracy %.4f, %.1f s%n", train.size(),
                test.size(), acc, (System.nanoTime() - t0) / 1e9);
        assertThat(acc).isGreaterThan(0.72);
    }
}
