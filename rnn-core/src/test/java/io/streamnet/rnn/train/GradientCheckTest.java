package io.streamnet.rnn.train;

import io.streamnet.engine.cpu.CpuBackend;
import io.streamnet.engine.nn.optim.LearningRateSchedule;
import io.streamnet.engine.nn.optim.Sgd;
import io.streamnet.rnn.Fixtures;
import io.streamnet.rnn.cell.CellType;
import io.streamnet.rnn.model.ModelConfig;
import io.streamnet.rnn.model.OutputType;
import io.streamnet.rnn.model.SequenceModel;
import io.streamnet.rnn.model.Task;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Finite-difference checks of BPTT for every cell and output type, on two stacked layers and
 * sequences of different lengths in one batch (so finished rows carry state and gradient).
 */
class GradientCheckTest {
    private final CpuBackend cpu = CpuBackend.instance();

    private SequenceTrainer trainer(SequenceModel m) {
        return new SequenceTrainer(m, new Sgd(cpu, LearningRateSchedule.constant(0.1f), 0f, 0f), 0f, 1);
    }

    @ParameterizedTest
    @EnumSource(CellType.class)
    void manyToOneOverTokensThroughAnEmbedding(CellType cell) {
        SequenceModel m = new SequenceModel(cpu, ModelConfig.tokens(cell, 11, 5, 6, 2, 0f, 3, OutputType.MANY_TO_ONE), 3);
        Random rng = new Random(1);
        SequenceBatch b = SequenceBatch.tokens(Fixtures.tokenSeqs(rng, 11, 4, 7, 2, 7), new int[] {0, 2, 1, 2});
        SequenceTrainer t = trainer(m);
        t.gradients(b);
        Fixtures.assertGradientsMatch(m.parameters(), () -> t.loss(b), 12);
    }

    @ParameterizedTest
    @EnumSource(CellType.class)
    void dropoutBetweenLayersBackpropagatesThroughTheSameMask(CellType cell) {
        SequenceModel m = new SequenceModel(cpu, ModelConfig.tokens(cell, 11, 5, 6, 3, 0.4f, 3, OutputType.MANY_TO_ONE), 8);
        Random rng = new Random(6);
        SequenceBatch b = SequenceBatch.tokens(Fixtures.tokenSeqs(rng, 11, 5, 3, 6), new int[] {2, 0, 1});
        SequenceTrainer t = trainer(m);
        t.gradients(b, 99);
        Fixtures.assertGradientsMatch(m.parameters(), () -> t.trainingLoss(b, 99), 12);
        // With the masks on, the training loss differs from the evaluation loss (dropout is active).
        org.assertj.core.api.Assertions.assertThat(t.trainingLoss(b, 99)).isNotEqualTo(t.loss(b));
    }

    @ParameterizedTest
    @EnumSource(CellType.class)
    void embeddingDropoutBackpropagatesThroughTheSameMask(CellType cell) {
        SequenceModel m = new SequenceModel(cpu, ModelConfig.tokens(cell, 11, 5, 6, 1, 0f, 3, OutputType.MANY_TO_ONE), 8);
        Random rng = new Random(7);
        SequenceBatch b = SequenceBatch.tokens(Fixtures.tokenSeqs(rng, 11, 5, 3, 6), new int[] {2, 0, 1});
        SequenceTrainer t = trainer(m).withEmbeddingDropout(0.3f);
        t.gradients(b, 99);
        Fixtures.assertGradientsMatch(m.parameters(), () -> t.trainingLoss(b, 99), 12);
        org.assertj.core.api.Assertions.assertThat(t.trainingLoss(b, 99)).isNotEqualTo(t.loss(b));
    }

    @ParameterizedTest
    @EnumSource(CellType.class)
    void manyToManyClassificationPerStep(CellType cell) {
        SequenceModel m = new SequenceModel(cpu, ModelConfig.tokens(cell, 9, 4, 5, 2, 0f, 9, OutputType.MANY_TO_MANY), 4);
        Random rng = new Random(2);
        List<int[]> in = Fixtures.tokenSeqs(rng, 9, 6, 3, 5);
        List<int[]> labels = Fixtures.tokenSeqs(rng, 9, 6, 3, 5);
        SequenceBatch b = SequenceBatch.tokenSteps(in, labels);
        SequenceTrainer t = trainer(m);
        t.gradients(b);
        Fixtures.assertGradientsMatch(m.parameters(), () -> t.loss(b), 12);
    }

    @ParameterizedTest
    @EnumSource(CellType.class)
    void manyToManyClassificationOverFeatures(CellType cell) {
        // The frame smoother's shape: a class per step from feature vectors (sequences of unequal length).
        SequenceModel m = new SequenceModel(cpu,
                ModelConfig.features(cell, 4, 5, 1, 0f, 3, Task.CLASSIFICATION, OutputType.MANY_TO_MANY), 8);
        Random rng = new Random(4);
        List<float[][]> in = Fixtures.featureSeqs(rng, 4, 3, 6, 4);
        List<int[]> labels = new java.util.ArrayList<>();
        for (float[][] seq : in) {
            labels.add(rng.ints(seq.length, 0, 3).toArray());
        }
        SequenceBatch b = SequenceBatch.featureSteps(in, labels);
        SequenceTrainer t = trainer(m);
        t.gradients(b);
        Fixtures.assertGradientsMatch(m.parameters(), () -> t.loss(b), 12);
    }

    @ParameterizedTest
    @EnumSource(CellType.class)
    void manyToManyRegressionOverFeatures(CellType cell) {
        SequenceModel m = new SequenceModel(cpu,
                ModelConfig.features(cell, 3, 5, 2, 0f, 2, Task.REGRESSION, OutputType.MANY_TO_MANY), 5);
        Random rng = new Random(3);
        SequenceBatch b = SequenceBatch.features(Fixtures.featureSeqs(rng, 3, 5, 5, 2), null,
                Fixtures.featureSeqs(rng, 2, 5, 5, 2));
        SequenceTrainer t = trainer(m);
        t.gradients(b);
        Fixtures.assertGradientsMatch(m.parameters(), () -> t.loss(b), 12);
    }

    @ParameterizedTest
    @EnumSource(CellType.class)
    void oneToManyWithTeacherForcedFeedback(CellType cell) {
        // One vector in, then the previous target fed back: inputs [v, y1, y2, ...], targets [y1, y2, y3, ...].
        SequenceModel m = new SequenceModel(cpu,
                ModelConfig.features(cell, 2, 4, 1, 0f, 2, Task.REGRESSION, OutputType.ONE_TO_MANY), 6);
        Random rng = new Random(4);
        List<float[][]> targets = Fixtures.featureSeqs(rng, 2, 4, 4);
        List<float[][]> inputs = new ArrayList<>();
        for (float[][] y : targets) {
            float[][] x = new float[y.length][];
            x[0] = new float[] {(float) rng.nextGaussian(), (float) rng.nextGaussian()};
            System.arraycopy(y, 0, x, 1, y.length - 1);
            inputs.add(x);
        }
        SequenceBatch b = SequenceBatch.features(inputs, null, targets);
        SequenceTrainer t = trainer(m);
        t.gradients(b);
        Fixtures.assertGradientsMatch(m.parameters(), () -> t.loss(b), 12);
    }

    @ParameterizedTest
    @EnumSource(CellType.class)
    void seq2seqGradientFlowsFromDecoderIntoEncoder(CellType cell) {
        SequenceModel m = new SequenceModel(cpu,
                ModelConfig.features(cell, 2, 5, 2, 0f, 2, Task.REGRESSION, OutputType.SEQ2SEQ), 7);
        Random rng = new Random(5);
        SequenceBatch src = SequenceBatch.features(Fixtures.featureSeqs(rng, 2, 6, 6, 6), null, null);
        SequenceBatch dec = SequenceBatch.features(Fixtures.featureSeqs(rng, 2, 3, 3, 3), null,
                Fixtures.featureSeqs(rng, 2, 3, 3, 3));
        SequenceTrainer t = trainer(m);
        t.seq2seqGradients(src, dec);
        Fixtures.assertGradientsMatch(m.parameters(), () -> t.seq2seqLoss(src, dec), 12);
    }
}
