package io.streamnet.training;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.streamnet.serving.model.UpdateSignatures;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import org.junit.jupiter.api.Test;

/** The training job's public key, derived from its private signing key. */
class OwnerKeyTest {
    @Test
    void theDerivedPublicKeyIsTheOneTheJdkGeneratedWithThePrivateKey() {
        for (int i = 0; i < 20; i++) {
            KeyPair pair = UpdateSignatures.generate();
            assertThat(OwnerKey.publicKeyOf(pair.getPrivate()).getEncoded())
                    .isEqualTo(pair.getPublic().getEncoded());
        }
    }

    @Test
    void aKeyOfAnotherAlgorithmIsRefused() throws Exception {
        KeyPair ec = KeyPairGenerator.getInstance("EC").generateKeyPair();
        assertThatThrownBy(() -> OwnerKey.publicKeyOf(ec.getPrivate())).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("Ed25519");
    }
}
