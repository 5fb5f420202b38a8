package io.streamnet.flink.training;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamnet.engine.cpu.CpuBackend;
import io.streamnet.rnn.model.SequenceModel;
import io.streamnet.schemas.ModelUpdate;
import io.streamnet.serving.model.UpdateSignatures;
import io.streamnet.training.GradientGate;
import io.streamnet.training.OwnerPolicy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The model owner on Flink: gated gradients become signed versions that continue across a restore. */
class ModelOwnerOperatorTest {
    final SequenceModel model = new SequenceModel(CpuBackend.instance(), TrainingOperatorTest.CONFIG, 11);
    final int params = model.parameters().stream().mapToInt(p -> p.value().size()).sum();
    final KeyPair keys = UpdateSignatures.generate();

    @TempDir
    Path tmp;

    OwnerConfig config() throws Exception {
        Path key = tmp.resolve("owner.key.pem");
        if (!Files.exists(key)) {
            UpdateSignatures.write(keys, tmp.resolve("owner.pub.pem"), key);
        }
        return new OwnerConfig(OwnerConfig.Kind.ADAM, 0.01f, 0.9f, 0f, 0, 0.5f, 1f, 2, 10,
                OwnerPolicy.unchallenged(2), Duration.ofHours(1), key.toString(), "job-b");
    }

    OneInputStreamOperatorTestHarness<TrainingMessage, ModelUpdate> harness() throws Exception {
        return new OneInputStreamOperatorTestHarness<>(new ModelOwnerOperator(
                TrainingOperatorTest.checkpoint(model, 1), "s", 1, config()));
    }

    @Test
    void theJobCarriesThePathOfTheSigningKeyNeverItsBytes() throws Exception {
        OwnerConfig c = config();
        byte[] graph = org.apache.flink.util.InstantiationUtil.serializeObject(new ModelOwnerOperator(
                TrainingOperatorTest.checkpoint(model, 1), "s", 1, c));
        byte[] seed = ((java.security.interfaces.EdECPrivateKey) keys.getPrivate()).getBytes().orElseThrow();
        assertThat(indexOf(graph, seed)).as("the private key's seed in the serialized operator").isNegative();
        assertThat(indexOf(graph, keys.getPrivate().getEncoded())).isNegative();
    }

    @Test
    void gradientsOnAVersionAnotherTrainingJobPublishedStopPublishingWithADeadLetter() throws Exception {
        try (var h = harness()) {
            h.open();
            h.processElement(new StreamRecord<>(gradient(1, 0.1f)));
            h.processElement(new StreamRecord<>(gradient(1, 0.1f)));
            assertThat(updates(h)).singleElement().extracting(ModelUpdate::getVersion).isEqualTo(2L);
            TrainingMessage foreign = gradient(2, 0.1f);
            foreign.owner = "job-a";
            h.processElement(new StreamRecord<>(foreign));
            for (int i = 0; i < 4; i++) {
                h.processElement(new StreamRecord<>(gradient(2, 0.1f)));
            }
            assertThat(updates(h)).as("stopped publishing").isEmpty();
            assertThat(h.getSideOutput(io.streamnet.flink.operator.DeadLetterOutput.TAG)).singleElement()
                    .satisfies(r -> {
                        assertThat(r.getValue().getReason().toString()).isEqualTo("OWNER_CONFLICT");
                        assertThat(r.getValue().getDetail().toString()).contains("job-a").contains("job-b");
                    });
        }
    }

    static String ownerOf(ModelUpdate u) throws Exception {
        byte[] w = new byte[u.getWeights().remaining()];
        u.getWeights().duplicate().get(w);
        return io.streamnet.engine.checkpoint.Checkpoints.fromBytes(w).metadata()
                .get(io.streamnet.training.ModelOwner.META_OWNER);
    }

    @Test
    void aRestoredOwnerKnowsItsOwnVersionsAndASecondJobOfTheSameGroupDoesNot() throws Exception {
        OperatorSubtaskState snapshot;
        String tag;
        try (var h = harness()) {
            h.open();
            h.processElement(new StreamRecord<>(gradient(1, 0.1f)));
            h.processElement(new StreamRecord<>(gradient(1, 0.1f)));
            tag = ownerOf(updates(h).get(0));
            assertThat(tag).startsWith("job-b#");
            snapshot = h.snapshot(1, 1);
        }
        TrainingMessage onV2 = gradient(2, 0.1f);
        onV2.owner = tag;
        try (var h = harness()) {
            h.initializeState(snapshot);
            h.open();
            h.processElement(new StreamRecord<>(onV2));
            h.processElement(new StreamRecord<>(onV2));
            assertThat(updates(h)).extracting(ModelUpdate::getVersion).containsExactly(3L);
            assertThat(h.getSideOutput(io.streamnet.flink.operator.DeadLetterOutput.TAG)).isNull();
        }
        try (var h = harness()) { // another job, same group id, started from v1
            h.open();
            h.processElement(new StreamRecord<>(onV2));
            assertThat(h.getSideOutput(io.streamnet.flink.operator.DeadLetterOutput.TAG)).singleElement()
                    .satisfies(r -> assertThat(r.getValue().getReason().toString()).isEqualTo("OWNER_CONFLICT"));
        }
    }

    static int indexOf(byte[] hay, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= hay.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (hay[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    TrainingMessage gradient(long version, float value) {
        TrainingMessage m = new TrainingMessage();
        m.version = version;
        m.windows = 2;
        m.lossSum = 1.4;
        m.values = new float[params];
        java.util.Arrays.fill(m.values, value);
        return m;
    }

    static List<ModelUpdate> updates(OneInputStreamOperatorTestHarness<TrainingMessage, ModelUpdate> h) {
        List<ModelUpdate> out = new ArrayList<>(h.extractOutputValues());
        h.getOutput().clear();
        return out;
    }

    @Test
    void everySecondAcceptedGradientPublishesTheNextVersionSigned() throws Exception {
        try (var h = harness()) {
            h.open();
            h.processElement(new StreamRecord<>(gradient(1, 0.1f)));
            h.processElement(new StreamRecord<>(gradient(1, Float.NaN)));
            h.processElement(new StreamRecord<>(gradient(1, 0.1f)));
            List<ModelUpdate> out = updates(h);
            assertThat(out).singleElement().extracting(ModelUpdate::getVersion).isEqualTo(2L);
            UpdateSignatures.verify(out.get(0), keys.getPublic());
            assertThat(out.get(0).getMetrics()).containsEntry("parentVersion", 1.0).containsEntry("windows", 4.0);
            ModelOwnerOperator op = (ModelOwnerOperator) h.getOneInputOperator();
            assertThat(op.owner().gate().count(GradientGate.Verdict.NON_FINITE)).isEqualTo(1);
        }
    }

    @Test
    void stalenessCountsTheVersionsPublishedSinceTheGradientsWeightsCommittedOrNot() throws Exception {
        try (var h = harness()) {
            h.open();
            for (int i = 0; i < 4; i++) {
                h.processElement(new StreamRecord<>(gradient(1, 0.1f))); // versions 2, 3: none committed yet
            }
            ModelOwnerOperator op = (ModelOwnerOperator) h.getOneInputOperator();
            assertThat(op.owner().version()).isEqualTo(3);
            h.processElement(new StreamRecord<>(gradient(1, 0.1f))); // 2 behind v3, bound 2: applied
            h.processElement(new StreamRecord<>(gradient(1, 0.1f)));
            assertThat(op.owner().version()).isEqualTo(4);
            assertThat(op.owner().gate().count(GradientGate.Verdict.STALE)).isZero();
            h.processElement(new StreamRecord<>(gradient(1, 0.1f))); // 3 behind v4, though no checkpoint committed v2..v4
            assertThat(op.owner().gate().count(GradientGate.Verdict.STALE)).isEqualTo(1);
            h.processElement(new StreamRecord<>(gradient(2, 0.1f))); // 2 behind: applied
            h.processElement(new StreamRecord<>(gradient(2, 0.1f)));
            assertThat(op.owner().version()).isEqualTo(5);
        }
    }

    @Test
    void aGradientOfAnotherArchitectureIsDroppedWithoutStoppingTheOwner() throws Exception {
        try (var h = harness()) {
            h.open();
            TrainingMessage wrong = gradient(1, 0.1f);
            wrong.values = new float[3];
            h.processElement(new StreamRecord<>(wrong));
            h.processElement(new StreamRecord<>(gradient(1, 0.1f)));
            h.processElement(new StreamRecord<>(gradient(1, 0.1f)));
            assertThat(updates(h)).extracting(ModelUpdate::getVersion).containsExactly(2L);
        }
    }

    @Test
    void aRestoredOwnerContinuesFromTheCheckpointedVersionAndWeights() throws Exception {
        OperatorSubtaskState snapshot;
        List<ModelUpdate> uninterrupted;
        try (var h = harness()) {
            h.open();
            for (int i = 0; i < 5; i++) {
                h.processElement(new StreamRecord<>(gradient(1 + i / 2, 0.1f * (i + 1))));
            }
            updates(h);
            for (int i = 5; i < 9; i++) {
                h.processElement(new StreamRecord<>(gradient(1 + i / 2, 0.1f * (i + 1))));
            }
            uninterrupted = updates(h);
        }
        try (var h = harness()) {
            h.open();
            for (int i = 0; i < 5; i++) {
                h.processElement(new StreamRecord<>(gradient(1 + i / 2, 0.1f * (i + 1))));
            }
            snapshot = h.snapshot(1, 1);
        }
        try (var h = harness()) {
            h.initializeState(snapshot);
            h.open();
            for (int i = 5; i < 9; i++) {
                h.processElement(new StreamRecord<>(gradient(1 + i / 2, 0.1f * (i + 1))));
            }
            List<ModelUpdate> restored = updates(h);
            assertThat(restored).extracting(ModelUpdate::getVersion).containsExactly(4L, 5L);
            // the same weights (each run's owner names its own instance in the metadata, so not the same bytes)
            for (int i = 0; i < restored.size(); i++) {
                assertThat(weightsOf(restored.get(i))).isEqualTo(weightsOf(uninterrupted.get(i)));
            }
        }
    }

    static java.util.Map<String, String> weightsOf(ModelUpdate u) throws Exception {
        byte[] w = new byte[u.getWeights().remaining()];
        u.getWeights().duplicate().get(w);
        java.util.Map<String, String> out = new java.util.TreeMap<>();
        io.streamnet.engine.checkpoint.Checkpoints.fromBytes(w).tensors()
                .forEach((name, t) -> out.put(name, java.util.Arrays.toString(t.toArray())));
        return out;
    }
}
