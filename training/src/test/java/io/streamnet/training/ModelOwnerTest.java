package io.streamnet.training;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamnet.engine.cpu.CpuBackend;
import io.streamnet.engine.nn.Parameter;
import io.streamnet.engine.nn.optim.Adam;
import io.streamnet.engine.nn.optim.LearningRateSchedule;
import io.streamnet.rnn.cell.CellType;
import io.streamnet.rnn.model.ModelConfig;
import io.streamnet.rnn.model.OutputType;
import io.streamnet.rnn.model.SequenceModel;
import io.streamnet.rnn.text.Vocabulary;
import io.streamnet.rnn.train.SequenceBatch;
import io.streamnet.rnn.train.SequenceTrainer;
import io.streamnet.schemas.ModelUpdate;
import io.streamnet.serving.model.ModelUpdates;
import io.streamnet.serving.model.ServedSequenceModel;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Gradients of keys' windows, gated and summed by one owner, become versions that learn. */
class ModelOwnerTest {
    static final Vocabulary VOCAB = Vocabulary.chars("abcd");
    static final int K1 = 4;
    static final int K2 = 8;

    final SequenceModel model = new SequenceModel(CpuBackend.instance(),
            ModelConfig.tokens(CellType.GRU, VOCAB.size(), 4, 12, 1, 0f, VOCAB.size(), OutputType.MANY_TO_MANY), 3);
    final SequenceTrainer trainer = new SequenceTrainer(model,
            new Adam(CpuBackend.instance(), LearningRateSchedule.constant(0.03f)), 1f, 1);

    /** Each key streams a repeating pattern; the label is the next character. */
    static int[] pattern(int key, int n) {
        int[] ids = VOCAB.encode("abcdabcdab".repeat(n / 10 + 2));
        int[] out = new int[n];
        System.arraycopy(ids, key % 4, out, 0, n);
        return out;
    }

    float patternLoss() {
        int[] s = pattern(1, 40);
        int[] x = java.util.Arrays.copyOf(s, 39);
        int[] y = java.util.Arrays.copyOfRange(s, 1, 40);
        return trainer.streamLoss(SequenceBatch.tokenSteps(List.of(x), List.of(y)), 39);
    }

    @Test
    void versionsPublishedFromGatedGradientsLearnTheStream() throws Exception {
        ModelOwner owner = new ModelOwner("online", 1, model, VOCAB, trainer, new GradientGate(2, 10.0), 2);
        WindowTrainer windows = new WindowTrainer(model, trainer, K1, K2);
        List<KeyWindow> keys = new ArrayList<>();
        for (int k = 0; k < 4; k++) {
            keys.add(windows.newWindow("k" + k));
        }
        float before = patternLoss();
        List<ModelUpdate> published = new ArrayList<>();
        int steps = 400;
        int[][] streams = new int[4][];
        for (int k = 0; k < 4; k++) {
            streams[k] = pattern(k, steps + 1);
        }
        for (int t = 0; t < steps; t++) {
            List<KeyWindow> due = new ArrayList<>();
            for (int k = 0; k < 4; k++) {
                if (windows.add(keys.get(k), streams[k][t], streams[k][t + 1])) {
                    due.add(keys.get(k));
                }
            }
            if (!due.isEmpty()) {
                trainer.zeroGradients();
                float loss = windows.run(due);
                Gradient g = Gradient.of(owner.version(), due.size(), loss, model.parameters());
                if (owner.offer(g) instanceof ModelOwner.Published p) {
                    published.add(p.update());
                }
            }
        }
        float after = patternLoss();
        System.out.printf("online TBPTT: %d versions, loss on the pattern %.3f -> %.3f nats/char%n", published.size(),
                before, after);

        assertThat(published).extracting(ModelUpdate::getVersion).startsWith(2L, 3L, 4L).isSorted();
        assertThat(published.get(0).getMetrics()).containsEntry("parentVersion", 1.0).containsEntry("windows", 8.0)
                .containsEntry("optimizerSteps", 2.0);
        assertThat(published.get(1).getMetrics()).as("two more gradients applied").containsEntry("optimizerSteps", 4.0);
        assertThat(after).as("the last version learned the pattern").isLessThan(before * 0.5f);
        ServedSequenceModel last = ModelUpdates.validate(CpuBackend.instance(), published.get(published.size() - 1));
        assertThat(last.version()).isEqualTo(owner.version());
    }

    @Test
    void aRejectedGradientLeavesTheModelAndTheVersionAlone() throws Exception {
        ModelOwner owner = new ModelOwner("online", 5, model, VOCAB, trainer, new GradientGate(2, 10.0), 1);
        float[] before = model.parameters().get(0).value().toArray();
        List<Parameter> params = model.parameters();
        float[][] nan = new float[params.size()][];
        for (int i = 0; i < nan.length; i++) {
            nan[i] = new float[params.get(i).value().size()];
        }
        nan[0][0] = Float.NaN;

        assertThat(owner.offer(new Gradient(5, 1, 1.0, nan))).isNull();
        assertThat(owner.offer(new Gradient(2, 1, 1.0, zeros(params)))).as("stale").isNull();

        assertThat(owner.version()).isEqualTo(5);
        assertThat(model.parameters().get(0).value().toArray()).containsExactly(before);
        assertThat(owner.gate().count(GradientGate.Verdict.NON_FINITE)).isEqualTo(1);
        assertThat(owner.gate().count(GradientGate.Verdict.STALE)).isEqualTo(1);
    }

    @Test
    void aGradientOnAVersionAnotherOwnerPublishedStopsThisOwnerOnce() throws Exception {
        ModelOwner owner = new ModelOwner("online", 5, model, VOCAB, trainer, new GradientGate(2, 10.0), 1)
                .ownedBy("job-b");
        List<Parameter> params = model.parameters();
        assertThat(owner.offer(new Gradient(5, 1, 1.0, zeros(params)), "job-a"))
                .as("job-a's version this owner started from: taken over").isInstanceOf(ModelOwner.Published.class);
        ModelOwner.Published mine = (ModelOwner.Published) owner.offer(new Gradient(6, 1, 1.0, zeros(params)), "job-b");
        assertThat(ServedSequenceModel.load(CpuBackend.instance(), mine.update().getWeights().array(), null, -1)
                .version()).isEqualTo(7);
        assertThat(io.streamnet.engine.checkpoint.Checkpoints.fromBytes(mine.update().getWeights().array()).metadata())
                .containsEntry(ModelOwner.META_OWNER, "job-b");

        ModelOwner.Outcome o = owner.offer(new Gradient(7, 1, 1.0, zeros(params)), "job-a");
        assertThat(o).isInstanceOf(ModelOwner.OwnerConflict.class);
        assertThat(((ModelOwner.OwnerConflict) o).detail()).contains("job-a").contains("job-b").contains("stops");
        assertThat(owner.offer(new Gradient(7, 1, 1.0, zeros(params)), "job-b")).as("stopped").isNull();
        assertThat(owner.publishDue()).isNull();
        assertThat(owner.version()).isEqualTo(7);
    }

    @Test
    void aGradientOnAVersionNewerThanTheOwnersMovesNothing() throws Exception {
        ModelOwner owner = new ModelOwner("online", 5, model, VOCAB, trainer, new GradientGate(2, 10.0), 1);
        float[] before = model.parameters().get(0).value().toArray();
        float[][] g = zeros(model.parameters());
        g[0][0] = 1f;
        assertThat(owner.offer(new Gradient(Long.MAX_VALUE, 1, 1.0, g))).isNull();
        assertThat(owner.gate().count(GradientGate.Verdict.FUTURE_VERSION)).isEqualTo(1);
        assertThat(model.parameters().get(0).value().toArray()).containsExactly(before);
    }

    @Test
    void anOwnerAtTheLastVersionPublishesNothingAndDoesNotThrow() throws Exception {
        long last = io.streamnet.serving.model.UpdateHeader.MAX_VERSION;
        ModelOwner owner = new ModelOwner("online", last, model, VOCAB, trainer, new GradientGate(2, 10.0), 1);
        float[] before = model.parameters().get(0).value().toArray();
        float[][] g = zeros(model.parameters());
        g[0][0] = 1f;

        assertThat(owner.offer(new Gradient(last, 1, 1.0, g))).isNull();
        assertThat(owner.publishDue()).isNull();

        assertThat(owner.version()).isEqualTo(last);
        assertThat(model.parameters().get(0).value().toArray()).containsExactly(before);
    }

    static float[][] zeros(List<Parameter> params) {
        float[][] z = new float[params.size()][];
        for (int i = 0; i < z.length; i++) {
            z[i] = new float[params.get(i).value().size()];
        }
        return z;
    }
}
