package io.streamnet.local.flink;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The standalone cluster's REST API (what {@code streamnet cluster} starts) lets no page of another
 * origin read it: Flink's default would answer every origin with {@code Access-Control-Allow-Origin: *}.
 */
class StandaloneClusterRestTest {
    @TempDir
    Path tmp;

    @Test
    void theRestApiAllowsCrossOriginReadsByItsOwnOriginOnly() throws Exception {
        try (StandaloneCluster cluster = StandaloneCluster.start(StandaloneCluster.Settings.local(tmp.resolve("flink"), 1),
                0, Duration.ofSeconds(120))) {
            String own = "http://127.0.0.1:" + cluster.restPort();
            HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(own + "/config"))
                    .header("Origin", "http://attacker.example").build(), HttpResponse.BodyHandlers.ofString());

            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.headers().allValues("Access-Control-Allow-Origin")).containsExactly(own);
        }
    }
}
