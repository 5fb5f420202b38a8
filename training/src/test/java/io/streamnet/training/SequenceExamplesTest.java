package io.streamnet.training;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.streamnet.engine.cpu.CpuBackend;
import io.streamnet.rnn.cell.CellType;
import io.streamnet.rnn.model.ModelConfig;
import io.streamnet.rnn.model.OutputType;
import io.streamnet.rnn.model.SequenceModel;
import io.streamnet.rnn.text.Vocabulary;
import io.streamnet.rnn.train.SequenceTrainer;
import org.junit.jupiter.api.Test;

/** Many-to-one online training: labelled sequences of many keys, batched, sum to each key's gradient. */
class SequenceExamplesTest {
    static final Vocabulary VOCAB = Vocabulary.chars("abcd");
    final SequenceModel model = new SequenceModel(CpuBackend.instance(), ModelConfig.tokens(CellType.LSTM,
            VOCAB.size(), 4, 6, 1, 0f, 2, OutputType.MANY_TO_ONE), 4);
    final SequenceExamples examples = new SequenceExamples(model, new SequenceTrainer(model, null, 0f, 1), 5);

    @Test
    void aKeysTokensKeepTheLastMaxSteps() {
        int[] t = examples.append(null, new int[] {1, 2, 3});
        t = examples.append(t, new int[] {4, 5, 6, 7});
        assertThat(t).containsExactly(3, 4, 5, 6, 7);
        assertThat(examples.append(new int[] {1}, new int[] {2, 3, 4, 5, 6, 7})).containsExactly(3, 4, 5, 6, 7);
    }

    @Test
    void sequencesBatchedInOneRoundSumToEachAlone() {
        int[][] seqs = {VOCAB.encode("abca"), VOCAB.encode("dd"), VOCAB.encode("cabdb")};
        int[] labels = {1, 0, 1};
        GradientSum batched = new GradientSum(model.parameters());
        for (int i = 0; i < seqs.length; i++) {
            examples.add(seqs[i], labels[i], 100 + i);
        }
        double lossBatched = examples.run(batched);
        GradientSum alone = new GradientSum(model.parameters());
        double lossAlone = 0;
        for (int i = 0; i < seqs.length; i++) {
            examples.add(seqs[i], labels[i], 100 + i);
            lossAlone += examples.run(alone);
        }
        Gradient b = batched.take(7);
        Gradient a = alone.take(7);
        assertThat(b.windows()).isEqualTo(3);
        assertThat(b.oldestMs()).isEqualTo(100);
        assertThat(b.newestMs()).isEqualTo(102);
        assertThat(lossBatched).isCloseTo(lossAlone, within(1e-5));
        for (int p = 0; p < a.values().length; p++) {
            for (int j = 0; j < a.values()[p].length; j++) {
                assertThat(b.values()[p][j]).isCloseTo(a.values()[p][j], within(1e-5f));
            }
        }
    }

    @Test
    void anEmptySequenceTeachesNothing() {
        examples.add(new int[0], 1, 1);
        assertThat(examples.pending()).isZero();
    }
}
