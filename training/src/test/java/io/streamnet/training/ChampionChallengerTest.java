package io.streamnet.training;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.streamnet.engine.cpu.CpuBackend;
import io.streamnet.engine.nn.optim.Adam;
import io.streamnet.engine.nn.optim.LearningRateSchedule;
import io.streamnet.rnn.cell.CellType;
import io.streamnet.rnn.model.ModelConfig;
import io.streamnet.rnn.model.OutputType;
import io.streamnet.rnn.model.SequenceModel;
import io.streamnet.rnn.text.Vocabulary;
import io.streamnet.rnn.train.SequenceTrainer;
import io.streamnet.schemas.ModelUpdate;
import io.streamnet.serving.model.ModelUpdates;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The owner's guard rails on a many-to-one task (class 1 when a sequence starts with 'a'):
 * candidates are scored on held-out sequences against the serving model, refused when worse by
 * more than the margin; a promoted model worse than its parent live is rolled back; and the whole
 * owner state survives a snapshot exactly.
 */
class ChampionChallengerTest {
    static final Vocabulary VOCAB = Vocabulary.chars("abcd");
    static final ModelConfig CONFIG = ModelConfig.tokens(CellType.GRU, VOCAB.size(), 4, 8, 1, 0f, 2,
            OutputType.MANY_TO_ONE);

    final SequenceModel model = new SequenceModel(CpuBackend.instance(), CONFIG, 3);
    final SequenceTrainer trainer = new SequenceTrainer(model,
            new Adam(CpuBackend.instance(), LearningRateSchedule.constant(0.05f)), 1f, 1);
    /** A training subtask's copy of the served model. */
    final SequenceModel worker = new SequenceModel(CpuBackend.instance(), CONFIG, 9);
    final SequenceExamples examples = new SequenceExamples(worker, new SequenceTrainer(worker, null, 0f, 2), 16);
    final Random rnd = new Random(5);

    HeldOutSet.Example example(boolean flipped) {
        String s = rnd.nextBoolean() ? "a" : "b";
        for (int i = 0; i < 5; i++) {
            s += "abcd".charAt(rnd.nextInt(4));
        }
        int label = s.charAt(0) == 'a' ? 1 : 0;
        return new HeldOutSet.Example(VOCAB.encode(s), new int[] {flipped ? 1 - label : label});
    }

    /** A gradient of 16 sequences computed on the worker, which serves what the owner published. */
    Gradient gradient(ModelOwner owner, boolean flipped) {
        ModelOwner.load(worker, ModelOwner.weights(model));
        GradientSum sum = new GradientSum(worker.parameters());
        for (int i = 0; i < 16; i++) {
            HeldOutSet.Example e = example(flipped);
            examples.add(e.tokens(), e.labels()[0], 1);
        }
        examples.run(sum);
        return sum.take(owner.version());
    }

    List<ModelOwner.Outcome> train(ModelOwner owner, int gradients, boolean flipped) throws Exception {
        List<ModelOwner.Outcome> out = new ArrayList<>();
        for (int i = 0; i < gradients; i++) {
            ModelOwner.Outcome o = owner.offer(gradient(owner, flipped));
            if (o != null) {
                out.add(o);
            }
        }
        return out;
    }

    @Test
    void aCandidateWorseThanTheServingModelOnTheHeldOutSliceIsRefusedAndItsWeightsDropped() throws Exception {
        ModelOwner owner = new ModelOwner("m", 1, model, VOCAB, trainer, new GradientGate(100, 1e9),
                new OwnerPolicy(10, 200, 50, 0.05, 1000, 0.1));
        for (int i = 0; i < 100; i++) {
            owner.offerHeldOut(example(false));
        }
        List<ModelOwner.Outcome> learned = train(owner, 40, false);
        assertThat(learned).allMatch(o -> o instanceof ModelOwner.Published);
        ModelUpdate last = ((ModelOwner.Published) learned.get(learned.size() - 1)).update();
        assertThat(last.getMetrics().get("score")).as("the held-out accuracy it was promoted with").isGreaterThan(0.9);
        assertThat(last.getMetrics()).containsEntry("heldOut", 100.0).containsKey("championScore");
        float[][] served = ModelOwner.weights(model);

        ModelOwner.CandidateRejected r = null;
        for (int i = 0; i < 200 && r == null; i++) {
            ModelOwner.Outcome o = owner.offer(gradient(owner, true)); // labels flipped: learns the opposite
            if (o instanceof ModelOwner.Published p) {
                served = ModelOwner.weights(ModelUpdates.validate(CpuBackend.instance(), p.update()).model());
            } else if (o instanceof ModelOwner.CandidateRejected rejected) {
                r = rejected;
            }
        }

        assertThat(r).as("a flipped stream's candidate is refused").isNotNull();
        assertThat(r.score()).isLessThan(r.championScore() - 0.05);
        assertThat(r.servingVersion()).isEqualTo(owner.version());
        assertThat(ModelOwner.weights(model)).as("back to the serving weights").isDeepEqualTo(served);
        assertThat(owner.rejected()).isEqualTo(1);
    }

    @Test
    void aPromotedModelScoringBelowItsParentLiveIsRolledBackAsANewVersion() throws Exception {
        ModelOwner owner = new ModelOwner("m", 1, model, VOCAB, trainer, new GradientGate(100, 1e9),
                new OwnerPolicy(20, 200, Integer.MAX_VALUE, 0, 30, 0.1));
        float[][] parent = ModelOwner.weights(model);
        assertThat(train(owner, 20, false)).singleElement().isInstanceOf(ModelOwner.Published.class);
        assertThat(owner.version()).isEqualTo(2);

        ModelOwner.Outcome o = null;
        for (int i = 0; i < 30 && o == null; i++) {
            o = owner.offerHeldOut(example(true)); // the live stream now says the opposite
        }

        assertThat(o).isInstanceOf(ModelOwner.RolledBack.class);
        ModelOwner.RolledBack back = (ModelOwner.RolledBack) o;
        assertThat(back.from()).isEqualTo(2);
        assertThat(back.liveScore()).isLessThan(back.parentScore() - 0.1);
        assertThat(back.update().getVersion()).as("a new version, never an old number").isEqualTo(3);
        assertThat(back.update().getMetrics()).containsEntry("rolledBackFrom", 2.0);
        assertThat(ModelOwner.weights(ModelUpdates.validate(CpuBackend.instance(), back.update()).model()))
                .as("the parent's weights").isDeepEqualTo(parent);
    }

    @Test
    void anOwnerRestoredFromItsSnapshotPublishesWhatTheUninterruptedOneDoes() throws Exception {
        OwnerPolicy policy = new OwnerPolicy(3, 50, 10, 0.5, 20, 0.5);
        ModelOwner a = new ModelOwner("m", 1, model, VOCAB, trainer, new GradientGate(100, 1e9), policy);
        List<Gradient> gradients = new ArrayList<>();
        for (int i = 0; i < 14; i++) {
            a.offerHeldOut(example(false));
            Gradient g = gradient(a, false);
            gradients.add(g);
            a.offer(g);
        }
        byte[] state = a.snapshot();

        SequenceModel other = new SequenceModel(CpuBackend.instance(), CONFIG, 77);
        ModelOwner b = new ModelOwner("m", 1, other, VOCAB, new SequenceTrainer(other,
                new Adam(CpuBackend.instance(), LearningRateSchedule.constant(0.05f)), 1f, 1),
                new GradientGate(100, 1e9), policy);
        b.restore(state);
        assertThat(b.version()).isEqualTo(a.version());
        for (int i = 0; i < 7; i++) {
            HeldOutSet.Example e = example(false);
            Gradient g = gradient(a, false);
            ModelOwner.Outcome oa = a.offer(g);
            ModelOwner.Outcome ob = b.offer(g);
            a.offerHeldOut(e);
            b.offerHeldOut(e);
            assertThat(ob == null).isEqualTo(oa == null);
            if (oa instanceof ModelOwner.Published pa) {
                assertThat(((ModelOwner.Published) ob).update().getWeights())
                        .isEqualTo(pa.update().getWeights());
            }
        }
        assertThat(ModelOwner.weights(other)).isDeepEqualTo(ModelOwner.weights(model));
    }

    @Test
    void aCorruptedOwnerStateIsRefusedBeforeItIsRead() {
        ModelOwner a = new ModelOwner("m", 1, model, VOCAB, trainer, new GradientGate(100, 1e9), 1);
        byte[] state = a.snapshot();
        state[state.length / 2] ^= 1;
        assertThatThrownBy(() -> a.restore(state)).hasMessageContaining("CRC-32");
        assertThatThrownBy(() -> a.restore(java.util.Arrays.copyOf(a.snapshot(), 40))).isInstanceOf(
                IllegalArgumentException.class);
    }

    @Test
    void anOwnerRestartedWithASmallerHeldOutSizeKeepsTheNewestThatFit() throws Exception {
        ModelOwner a = new ModelOwner("m", 1, model, VOCAB, trainer, new GradientGate(100, 1e9),
                new OwnerPolicy(3, 50, 10, 0.5, 20, 0.5));
        List<HeldOutSet.Example> sent = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            HeldOutSet.Example e = example(false);
            sent.add(e);
            a.offerHeldOut(e);
        }
        SequenceModel other = new SequenceModel(CpuBackend.instance(), CONFIG, 77);
        ModelOwner b = new ModelOwner("m", 1, other, VOCAB, new SequenceTrainer(other,
                new Adam(CpuBackend.instance(), LearningRateSchedule.constant(0.05f)), 1f, 1),
                new GradientGate(100, 1e9), new OwnerPolicy(3, 25, 10, 0.5, 20, 0.5));
        b.restore(a.snapshot());
        assertThat(b.heldOut().size()).isEqualTo(25);
        assertThat(b.heldOut().added()).isEqualTo(40);
        assertThat(b.heldOut().newest(25)).extracting(e -> java.util.Arrays.toString(e.tokens()))
                .containsExactlyElementsOf(sent.subList(15, 40).stream()
                        .map(e -> java.util.Arrays.toString(e.tokens())).toList());
    }
}
