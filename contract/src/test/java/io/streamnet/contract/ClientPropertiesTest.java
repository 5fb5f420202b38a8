package io.streamnet.contract;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The user's Kafka client settings as logs show them: every credential masked, the rest as given. */
class ClientPropertiesTest {
    @Test
    void credentialsAreMaskedWhereverTheSettingsAreLogged() {
        ClientProperties p = ClientProperties.load(null, List.of(
                "sasl.jaas.config=ScramLoginModule required username=\"a\" password=\"jaas-pw\";",
                "ssl.keystore.password=ks-pw", "ssl.key.password=key-pw",
                "basic.auth.user.info=alice:basic-pw", "sasl.oauthbearer.token.endpoint.url=https://idp/token-url",
                "sasl.oauthbearer.client.credentials.client.secret=client-pw", "security.protocol=SASL_SSL"));

        String logged = p.toString();

        for (String secret : new String[] {"jaas-pw", "ks-pw", "key-pw", "basic-pw", "client-pw"}) {
            assertThat(logged).doesNotContain(secret);
        }
        assertThat(logged).contains("security.protocol=SASL_SSL").contains("basic.auth.user.info=***");
    }
}
