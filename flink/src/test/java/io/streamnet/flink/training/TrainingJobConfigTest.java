package io.streamnet.flink.training;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.streamnet.engine.cpu.CpuBackend;
import io.streamnet.flink.source.RawRecord;
import io.streamnet.rnn.model.SequenceModel;
import io.streamnet.schemas.DeadLetter;
import io.streamnet.serving.model.ModelUpdates;
import io.streamnet.serving.model.UpdateSignatures;
import io.streamnet.serving.sequence.SequenceEvent;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The training job's settings that would stall it or let others steer it are refused or fixed at start. */
class TrainingJobConfigTest {
    @TempDir
    Path tmp;
    final KeyPair keys = UpdateSignatures.generate();

    Path privateKey() throws Exception {
        Path key = tmp.resolve("ops.key.pem");
        UpdateSignatures.write(keys, tmp.resolve("ops.pub.pem"), key);
        return key;
    }

    @Test
    void aTrustedUpdateKeyWithoutASigningKeyIsRefusedAtStart() {
        TrainingJobConfig.Builder b = TrainingJobConfig.builder().trustedUpdateKey(keys.getPublic().getEncoded());
        assertThatThrownBy(b::build).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("without a signing key").hasMessageContaining("stale");
    }

    @Test
    void aJobWithASigningKeyTrustsItsPublicKeyAndOnlyThat() throws Exception {
        TrainingJobConfig.Builder b = TrainingJobConfig.builder().signingKeyFile(privateKey().toString());
        TrainingJobConfig c = b.build();
        assertThat(c.operatorConfig().trustedKey()).isEqualTo(keys.getPublic().getEncoded());
        assertThat(c.ownerConfig().signingKey()).isEqualTo(c.owner().signingKeyFile());

        b.trustedUpdateKey(UpdateSignatures.generate().getPublic().getEncoded());
        assertThatThrownBy(b::build).hasMessageContaining("not the public key of the signing key");
        b.trustedUpdateKey(keys.getPublic().getEncoded());
        b.build();
    }

    @Test
    void anUnreadableSigningKeyIsRefusedAtStart() {
        TrainingJobConfig.Builder b = TrainingJobConfig.builder().signingKeyFile(tmp.resolve("missing.pem").toString());
        assertThatThrownBy(b::build).hasMessageContaining("cannot read the signing key");
    }

    @Test
    void trainingSubtasksOfASigningJobRefuseAnUnsignedNewerCopyAndLearnOnWhatItSigned() throws Exception {
        TrainingJobConfig c = TrainingJobConfig.builder()
                .signingKeyFile(privateKey().toString())
                .batchSize(100)
                .batchMillis(60_000)
                .windowsPerGradient(100)
                .heldOutShare(0)
                .build();
        SequenceModel model = new SequenceModel(CpuBackend.instance(), TrainingOperatorTest.CONFIG, 11);
        SequenceModel attacker = new SequenceModel(CpuBackend.instance(), TrainingOperatorTest.CONFIG, 99);
        try (var h = new TrainingOperatorTest.Harness(new ManyToOneTrainingOperator(TrainingOperatorTest.checkpoint(model, 1),
                "s", 1, c.operatorConfig()))) {
            h.open();
            // an unsigned copy with other weights, newer than anything the job signed
            h.processElement2(new StreamRecord<>(new RawRecord("model-updates", 0, 1, 0, null,
                    ModelUpdates.codec(Integer.MAX_VALUE).encode(ModelUpdates.toUpdate("s", 3,
                            TrainingOperatorTest.checkpoint(attacker, 3), Map.of())))));
            byte[] own = TrainingOperatorTest.checkpoint(attacker, 2);
            h.processElement2(new StreamRecord<>(new RawRecord("model-updates", 0, 2, 0, null,
                    ModelUpdates.codec(Integer.MAX_VALUE).encode(UpdateSignatures.sign(
                            ModelUpdates.toUpdate("s", 2, own, Map.of()), keys.getPrivate())))));
            for (SequenceEvent e : TrainingOperatorTest.conversation("k", 1, "ab")) {
                h.event(e);
            }
            h.endInput1();
            List<String> reasons = new ArrayList<>();
            for (DeadLetter d : h.deadLetters()) {
                reasons.add(d.getReason().toString());
            }
            assertThat(reasons).containsExactly("UNSIGNED");
            assertThat(h.messages()).extracting(m -> m.version).as("learned on the version it signed")
                    .containsExactly(2L);
        }
    }
}
