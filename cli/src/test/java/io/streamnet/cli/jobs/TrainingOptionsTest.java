package io.streamnet.cli.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.streamnet.flink.training.TrainingJobConfig;
import io.streamnet.serving.model.UpdateSignatures;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code run training}'s key and secret options, as the job gets them. */
class TrainingOptionsTest {
    @TempDir
    Path tmp;
    final KeyPair keys = UpdateSignatures.generate();

    JobOptions options() throws Exception {
        UpdateSignatures.write(keys, tmp.resolve("ops.pub.pem"), tmp.resolve("ops.key.pem"));
        JobOptions o = new JobOptions();
        new CommandLine(o).parseArgs("--group-id", "streamnet-training", "--parallelism", "1");
        return o;
    }

    @Test
    void anUpdateKeyWithoutASignKeyIsRefusedBeforeTheJobStarts() throws Exception {
        JobOptions o = options();
        o.updateKey = tmp.resolve("ops.pub.pem");
        assertThatThrownBy(() -> o.trainingConfig(new TrainingOptions())).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("without a signing key");
    }

    @Test
    void theSignKeyTravelsAsItsPathAndItsPublicKeyIsTheOneTheSubtasksTrust() throws Exception {
        JobOptions o = options();
        TrainingOptions t = new TrainingOptions();
        t.signKey = tmp.resolve("ops.key.pem");
        TrainingJobConfig c = o.trainingConfig(t);
        assertThat(c.owner().signingKeyFile()).isEqualTo(t.signKey.toAbsolutePath().toString());
        assertThat(c.ownerConfig().signingKey()).isEqualTo(c.owner().signingKeyFile());
        assertThat(c.operatorConfig().trustedKey()).isEqualTo(keys.getPublic().getEncoded());
    }

    @Test
    void theHeldOutSecretIsReadFromItsFileAndAShortOneIsRefused() throws Exception {
        JobOptions o = options();
        TrainingOptions t = new TrainingOptions();
        t.heldOutSecret = Files.writeString(tmp.resolve("slice.secret"), "twenty-four secret bytes");
        TrainingJobConfig c = o.trainingConfig(t);
        assertThat(c.operatorConfig().heldOut().secret()).isEqualTo("twenty-four secret bytes".getBytes());
        assertThat(c.operatorConfig().heldOutSecretGiven()).isTrue();
        t.heldOutSecret = Files.writeString(tmp.resolve("short.secret"), "short");
        assertThatThrownBy(() -> o.trainingConfig(t)).hasMessageContaining("at least 16 bytes");
    }
}
