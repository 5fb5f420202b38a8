package io.streamnet.dashboard.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.streamnet.dashboard.DashboardFeed;
import io.streamnet.dashboard.aggregate.DashboardState;
import io.streamnet.contract.PipelineTopics;
import io.streamnet.kafka.admin.TopicAdmin;
import io.streamnet.local.kafka.EmbeddedKafka;
import io.streamnet.contract.ClientProperties;
import io.streamnet.schemas.DeadLetter;
import io.streamnet.schemas.Frame;
import io.streamnet.schemas.ModelUpdate;
import io.streamnet.schemas.Prediction;
import io.streamnet.schemas.PredictionKind;
import io.streamnet.serving.model.ModelUpdates;
import io.streamnet.serving.wire.Codecs;
import io.streamnet.serving.wire.WireFormat;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The dashboard server against a real broker: predictions, dead letters and model updates produced
 * to their topics show up in the snapshot and on the event stream; the access token is enforced.
 */
class DashboardServerTest {
    static final String XSS_KEY = "<img src=x onerror=alert(1)>";
    static EmbeddedKafka kafka;
    final HttpClient http = HttpClient.newHttpClient();
    final ObjectMapper json = new ObjectMapper();

    @BeforeAll
    static void broker() throws Exception {
        kafka = EmbeddedKafka.start();
        try (Admin admin = Admin.create(kafka.clientProperties())) {
            new TopicAdmin(admin).ensure(PipelineTopics.all(2, (short) 1));
        }
    }

    @AfterAll
    static void stop() {
        kafka.close();
    }

    static Prediction prediction(String key, long step, float positive, Integer truth, long version) {
        return Prediction.newBuilder().setKey(key).setKind(PredictionKind.MANY_TO_ONE).setStep(step)
                .setProbabilities(List.of(1 - positive, positive)).setLabel(positive > 0.5 ? 1 : 0)
                .setModelId("sentiment").setModelVersion(version).setEventTime(Instant.now()).setLatencyMs(40 + step)
                .setTrueLabel(truth).build();
    }

    void produce() throws Exception {
        var predictions = Codecs.of(Prediction.class, WireFormat.AVRO);
        var deadLetters = Codecs.of(DeadLetter.class, WireFormat.AVRO);
        try (var p = new KafkaProducer<>(kafka.clientProperties(), new StringSerializer(), new ByteArraySerializer())) {
            for (int i = 0; i < 10; i++) {
                p.send(new ProducerRecord<>(PipelineTopics.PREDICTIONS, "k" + i,
                        predictions.encode(prediction("k" + i, i, i < 7 ? 0.9f : 0.1f, 1, 3))));
            }
            p.send(new ProducerRecord<>(PipelineTopics.PREDICTIONS, XSS_KEY,
                    predictions.encode(prediction(XSS_KEY, 0, 0.75f, null, 3))));
            // A camera's frame, its per-frame label (wrong: 3 for a 2) and its smoothed one (right).
            byte[] pixels = new byte[28 * 28];
            pixels[5] = (byte) 200;
            p.send(new ProducerRecord<>(PipelineTopics.FRAMES, "cam-1", Codecs.of(Frame.class, WireFormat.AVRO).encode(
                    Frame.newBuilder().setStreamId("cam-1").setFrameNo(4).setEventTime(Instant.now()).setHeight(28)
                            .setWidth(28).setChannels(1).setPixels(ByteBuffer.wrap(pixels)).setLabel(2).build())));
            for (PredictionKind kind : new PredictionKind[] {PredictionKind.FRAME, PredictionKind.MANY_TO_MANY}) {
                int label = kind == PredictionKind.FRAME ? 3 : 2;
                List<Float> probs = new java.util.ArrayList<>(java.util.Collections.nCopies(10, 0.05f));
                probs.set(label, 0.55f);
                p.send(new ProducerRecord<>(PipelineTopics.PREDICTIONS, "cam-1", predictions.encode(Prediction.newBuilder()
                        .setKey("cam-1").setKind(kind).setStep(4).setProbabilities(probs).setLabel(label)
                        .setModelId("frames").setModelVersion(1).setEventTime(Instant.now()).setLatencyMs(9)
                        .setTrueLabel(2).build())));
            }
            p.send(new ProducerRecord<>(PipelineTopics.TEXT_EVENTS, "k0", new byte[] {1, 2, 3}));
            for (String reason : new String[] {"UNDECODABLE", "UNDECODABLE", "KEY_TOO_LONG"}) {
                p.send(new ProducerRecord<>(PipelineTopics.DEAD_LETTERS, null, deadLetters.encode(DeadLetter.newBuilder()
                        .setSourceTopic("text-events").setPartition(0).setOffset(1).setReason(reason).setDetail("why")
                        .setRaw(ByteBuffer.wrap(new byte[] {1})).setTime(Instant.now()).build())));
            }
            ModelUpdate u = ModelUpdate.newBuilder().setModelId("sentiment").setVersion(3).setArchitecture("{}")
                    .setWeights(ByteBuffer.wrap(new byte[] {0})).setChecksum("00").setCreatedAt(Instant.now())
                    .setMetrics(Map.of("score", 0.81, "parentVersion", 2.0)).build();
            p.send(new ProducerRecord<>(PipelineTopics.MODEL_UPDATES, "sentiment",
                    ModelUpdates.codec(ModelUpdates.DEFAULT_MAX_BYTES).encode(u)));
            p.flush();
        }
    }

    DashboardFeed feed(DashboardState state) {
        return new DashboardFeed(DashboardFeed.Settings.pipeline(kafka.bootstrapServers(), ClientProperties.NONE,
                WireFormat.AVRO, true, true), state).start();
    }

    JsonNode snapshot(int port, long predictions) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        JsonNode s = null;
        while (System.nanoTime() < deadline) {
            var r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/snapshot")).build(),
                    HttpResponse.BodyHandlers.ofString());
            s = json.readTree(r.body());
            if (s.path("pipeline").path("predictions").asLong() >= predictions
                    && s.path("pipeline").path("deadLetters").asLong() >= 3 && s.path("models").path("versions").size() >= 1) {
                return s;
            }
            Thread.sleep(200);
        }
        return s;
    }

    @Test
    void producedRecordsShowUpInTheSnapshotAndOnTheEventStream() throws Exception {
        produce();
        DashboardState state = new DashboardState();
        try (DashboardFeed f = feed(state); DashboardServer server = new DashboardServer(state, "127.0.0.1", 0, null)
                .start()) {
            assertThat(server.token()).as("no token on a loopback address").isNull();
            JsonNode s = snapshot(server.port(), 13);

            assertThat(s.path("pipeline").path("predictions").asLong()).isEqualTo(13);
            assertThat(s.path("pipeline").path("events").asLong()).as("1 text event + 1 frame").isEqualTo(2);
            assertThat(s.path("sentiment").path("verdicts").asLong()).isEqualTo(11);
            assertThat(s.path("sentiment").path("accuracy").asDouble()).as("7 of 10 labelled right").isEqualTo(0.7);
            assertThat(s.path("pipeline").path("deadLettersByReason").path("UNDECODABLE").asLong()).isEqualTo(2);
            assertThat(s.path("pipeline").path("deadLettersByReason").path("KEY_TOO_LONG").asLong()).isEqualTo(1);
            JsonNode xss = null;
            for (JsonNode k : s.path("sentiment").path("keys")) {
                if (k.path("key").asText().equals(XSS_KEY)) {
                    xss = k;
                }
            }
            assertThat(xss).as("the key arrives as the string it was").isNotNull();
            assertThat(xss.path("score").asDouble()).isEqualTo(0.75);
            JsonNode v = s.path("models").path("versions").get(0);
            assertThat(v.path("version").asLong()).isEqualTo(3);
            assertThat(v.path("metrics").path("score").asDouble()).isEqualTo(0.81);
            assertThat(s.path("models").path("serving").path("sentiment").asLong()).isEqualTo(3);

            JsonNode frames = s.path("frames");
            JsonNode cam = frames.path("cameras").get(0);
            assertThat(cam.path("camera").asText()).isEqualTo("cam-1");
            assertThat(cam.path("image").path("frameNo").asLong()).isEqualTo(4);
            assertThat(java.util.Base64.getDecoder().decode(cam.path("image").path("pixels").asText())).isEqualTo(pixels());
            assertThat(cam.path("perFrame").path("label").asInt()).isEqualTo(3);
            assertThat(cam.path("perFrame").path("confidence").asDouble()).isCloseTo(0.55, org.assertj.core.api.Assertions.within(1e-6));
            assertThat(cam.path("smoothed").path("label").asInt()).isEqualTo(2);
            assertThat(frames.path("perFrameAccuracy").asDouble()).isEqualTo(0.0);
            assertThat(frames.path("smoothedAccuracy").asDouble()).isEqualTo(1.0);
            assertThat(frames.path("confusion").get(2).get(3).asLong()).as("true 2, predicted 3").isEqualTo(1);

            var history = json.readTree(http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port()
                    + "/api/key?key=k3")).build(), HttpResponse.BodyHandlers.ofString()).body());
            assertThat(history.path("history").get(0).path("score").asDouble()).isCloseTo(0.9, org.assertj.core.api.Assertions.within(1e-6));

            var events = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port()
                    + "/api/events")).header("Accept", "text/event-stream").build(),
                    HttpResponse.BodyHandlers.ofInputStream());
            assertThat(events.statusCode()).isEqualTo(200);
            try (var in = new BufferedReader(new InputStreamReader(events.body(), StandardCharsets.UTF_8))) {
                String event = in.readLine();
                String data = in.readLine();
                assertThat(event).isEqualTo("event: snapshot");
                assertThat(json.readTree(data.substring("data: ".length())).path("pipeline").path("predictions")
                        .asLong()).isEqualTo(13);
            }
        }
    }

    @Test
    void withATokenEveryPageAssetAndStreamRequiresIt() throws Exception {
        DashboardState state = new DashboardState();
        try (DashboardServer server = new DashboardServer(state, "127.0.0.1", 0, "s3cret").start()) {
            String base = "http://127.0.0.1:" + server.port();
            for (String path : new String[] {"/", "/sentiment", "/frames", "/pipeline", "/models", "/assets/common.js",
                    "/assets/uPlot.iife.min.js", "/api/snapshot", "/api/events", "/api/key"}) {
                assertThat(status(base + path, null)).as(path + " without the token").isEqualTo(401);
                assertThat(status(base + path + "?token=wrong", null)).as(path + " with a wrong one").isEqualTo(401);
            }
            assertThat(status(base + "/sentiment?token=s3cret", null)).isEqualTo(200);
            assertThat(status(base + "/assets/uPlot.min.css?token=s3cret", null)).isEqualTo(200);
            assertThat(status(base + "/api/snapshot", "s3cret")).isEqualTo(200);
        }
    }

    @Test
    void anyAddressButLoopbackGetsAGeneratedToken() {
        assertThat(DashboardServer.loopback("127.0.0.1")).isTrue();
        assertThat(DashboardServer.loopback("0.0.0.0")).isFalse();
        DashboardServer s = new DashboardServer(new DashboardState(), "0.0.0.0", 0, null); // not started
        assertThat(s.token()).hasSize(32);
    }

    @Test
    void noPageOrAssetReferencesAnExternalUrl() throws Exception {
        try (DashboardServer server = new DashboardServer(new DashboardState(), "127.0.0.1", 0, null).start()) {
            List<String> paths = new java.util.ArrayList<>();
            DashboardServer.PAGES.forEach(page -> paths.add("/" + page));
            DashboardServer.ASSETS.forEach(a -> paths.add("/assets/" + a));
            paths.add("/assets/uPlot.iife.min.js");
            paths.add("/assets/uPlot.min.css");
            for (String path : paths) {
                var r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path)).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertThat(r.statusCode()).as(path).isEqualTo(200);
                // Comments may name a project's home page (uPlot's licence banner does); code may not load one.
                String code = r.body().replaceAll("(?s)/\\*.*?\\*/", "");
                for (String external : new String[] {"http://", "https://", "src=\"//", "href=\"//", "url(//"}) {
                    assertThat(code.contains(external)).as("%s refers to %s...", path, external).isFalse();
                }
            }
        }
    }

    @Test
    void aNanMetricReachesThePagesAsNull() throws Exception {
        DashboardState state = new DashboardState();
        state.modelUpdate(ModelUpdate.newBuilder().setModelId("sentiment").setVersion(3).setArchitecture("{}")
                .setWeights(ByteBuffer.wrap(new byte[] {0})).setChecksum("00").setCreatedAt(Instant.now())
                .setMetrics(Map.of("score", Double.NaN)).build());
        try (DashboardServer server = new DashboardServer(state, "127.0.0.1", 0, null).start()) {
            String body = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port()
                    + "/api/snapshot")).build(), HttpResponse.BodyHandlers.ofString()).body();

            assertThat(body).doesNotContain("NaN");
            assertThat(json.readTree(body).path("models").path("versions").get(0).path("metrics").get("score").isNull())
                    .isTrue();
        }
    }

    @Test
    void onLoopbackARequestNamingAnyOtherHostIsRefused() throws Exception {
        try (DashboardServer server = new DashboardServer(new DashboardState(), "127.0.0.1", 0, null).start()) {
            int port = server.port();
            // a page of attacker.example whose name now resolves to 127.0.0.1 (DNS rebinding) sends its own name
            for (String host : new String[] {"attacker.example:" + port, "attacker.example", "127.0.0.1.nip.io:" + port,
                    "localhost:" + (port + 1)}) {
                assertThat(rawStatus(port, "/api/snapshot", host)).as("Host: " + host).isEqualTo(403);
            }
            assertThat(rawStatus(port, "/sentiment", "attacker.example:" + port)).isEqualTo(403);
            for (String host : new String[] {"localhost:" + port, "127.0.0.1:" + port, "[::1]:" + port, "LOCALHOST:" + port,
                    "localhost"}) {
                assertThat(rawStatus(port, "/api/snapshot", host)).as("Host: " + host).isEqualTo(200);
            }
        }
    }

    @Test
    void theTokenCookieIsHttpOnlyAndSameSiteStrict() throws Exception {
        try (DashboardServer server = new DashboardServer(new DashboardState(), "127.0.0.1", 0, "s3cret").start()) {
            var r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port()
                    + "/sentiment?token=s3cret")).build(), HttpResponse.BodyHandlers.discarding());

            String cookie = r.headers().allValues("Set-Cookie").stream()
                    .filter(c -> c.startsWith(DashboardServer.COOKIE + "=")).findFirst().orElseThrow();
            assertThat(cookie).containsIgnoringCase("HttpOnly").containsIgnoringCase("SameSite=Strict");
        }
    }

    @Test
    void anEmptyTokenIsRefused() {
        for (String empty : new String[] {"", " "}) {
            assertThatThrownBy(() -> new DashboardServer(new DashboardState(), "0.0.0.0", 0, empty))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("empty");
        }
    }

    /** The status of a GET with this Host header (Java's HttpClient sets its own), over a plain socket. */
    static int rawStatus(int port, String path, String host) throws Exception {
        try (java.net.Socket socket = new java.net.Socket("127.0.0.1", port)) {
            socket.setSoTimeout(5_000);
            String request = "GET " + path + " HTTP/1.1\r\n" + (host.isEmpty() ? "Host:\r\n" : "Host: " + host + "\r\n")
                    + "Connection: close\r\n\r\n";
            socket.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
            String status = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII))
                    .readLine();
            return Integer.parseInt(status.split(" ")[1]);
        }
    }

    static byte[] pixels() {
        byte[] p = new byte[28 * 28];
        p[5] = (byte) 200;
        return p;
    }

    int status(String url, String header) throws Exception {
        var b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5));
        if (header != null) {
            b.header(DashboardServer.HEADER, header);
        }
        var r = http.send(b.build(), HttpResponse.BodyHandlers.discarding());
        return r.statusCode();
    }
}
