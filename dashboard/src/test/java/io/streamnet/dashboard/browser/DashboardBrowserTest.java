package io.streamnet.dashboard.browser;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamnet.dashboard.DashboardFeed;
import io.streamnet.dashboard.aggregate.DashboardState;
import io.streamnet.dashboard.server.DashboardServer;
import io.streamnet.kafka.admin.TopicAdmin;
import io.streamnet.contract.TopicSpec;
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
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The four pages in headless Chromium against a real broker: each test opens a page on a dashboard
 * of its own topics, produces records while the page is open, and waits until the page shows what
 * was produced. A screenshot of each page lands in {@code target/screenshots/}.
 */
class DashboardBrowserTest {
    static final String XSS = "<img src=x onerror=alert(1)>";
    static final Path SCREENSHOTS = Path.of("target", "screenshots");
    static final AtomicInteger RUNS = new AtomicInteger();
    static EmbeddedKafka kafka;
    static ChromeDriver browser;

    @BeforeAll
    static void start() throws Exception {
        HeadlessChromium.Found found = HeadlessChromium.find();
        if (found.missing() != null) {
            System.out.println("browser tests skipped: " + found.missing());
        }
        Assumptions.assumeTrue(found.missing() == null, found.missing());
        kafka = EmbeddedKafka.start();
        browser = HeadlessChromium.start(found, Path.of("target", "chromium-profiles"));
    }

    @AfterAll
    static void stop() {
        if (browser != null) {
            browser.quit();
        }
        if (kafka != null) {
            kafka.close();
        }
    }

    /** A dashboard over topics of its own, and a producer to them. */
    static final class Pipeline implements AutoCloseable {
        final DashboardFeed.Settings topics;
        final DashboardState state;
        final DashboardFeed feed;
        final DashboardServer server;
        final KafkaProducer<String, byte[]> producer = new KafkaProducer<>(kafka.clientProperties(),
                new StringSerializer(), new ByteArraySerializer());
        final String base;

        Pipeline(String host, String token) throws Exception {
            String n = "-" + RUNS.incrementAndGet();
            topics = new DashboardFeed.Settings(kafka.bootstrapServers(), ClientProperties.NONE, WireFormat.AVRO,
                    "predictions" + n, "dead-letters" + n, "model-updates" + n, "frames" + n, List.of("text-events" + n),
                    true, true);
            try (Admin admin = Admin.create(kafka.clientProperties())) {
                List<TopicSpec> specs = new ArrayList<>();
                for (String t : List.of(topics.predictions(), topics.deadLetters(), topics.modelUpdates(),
                        topics.frames(), topics.countedInputs().get(0))) {
                    specs.add(new TopicSpec(t, 1, (short) 1, Map.of()));
                }
                new TopicAdmin(admin).ensure(specs);
            }
            state = new DashboardState(topics.modelUpdates());
            feed = new DashboardFeed(topics, state).start();
            server = new DashboardServer(state, host, 0, token).start();
            base = "http://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + server.port() + "/";
        }

        void send(String topic, String key, byte[] value) {
            producer.send(new ProducerRecord<>(topic, key, value));
        }

        void prediction(String key, long step, float positive, Integer truth, long version) {
            prediction(PredictionKind.MANY_TO_ONE, key, step, positive, truth, version);
        }

        void prediction(PredictionKind kind, String key, long step, float positive, Integer truth, long version) {
            send(topics.predictions(), key, Codecs.of(Prediction.class, WireFormat.AVRO).encode(Prediction.newBuilder()
                    .setKey(key).setKind(kind).setStep(step)
                    .setProbabilities(List.of(1 - positive, positive)).setLabel(positive > 0.5 ? 1 : 0)
                    .setModelId("sentiment").setModelVersion(version).setEventTime(Instant.now()).setLatencyMs(20 + step)
                    .setTrueLabel(truth).build()));
        }

        void deadLetter(String source, String reason, String detail) {
            send(topics.deadLetters(), null, Codecs.of(DeadLetter.class, WireFormat.AVRO).encode(DeadLetter.newBuilder()
                    .setSourceTopic(source).setPartition(0).setOffset(7).setReason(reason).setDetail(detail)
                    .setRaw(ByteBuffer.wrap(new byte[] {1})).setTime(Instant.now()).build()));
        }

        void modelUpdate(String id, long version, Map<String, Double> metrics) {
            ModelUpdate u = ModelUpdate.newBuilder().setModelId(id).setVersion(version).setArchitecture("{}")
                    .setWeights(ByteBuffer.wrap(new byte[] {0})).setChecksum("00").setCreatedAt(Instant.now())
                    .setMetrics(metrics).build();
            send(topics.modelUpdates(), id, ModelUpdates.codec(ModelUpdates.DEFAULT_MAX_BYTES).encode(u));
        }

        void flush() {
            producer.flush();
        }

        @Override
        public void close() throws Exception {
            producer.close();
            server.close();
            feed.close();
        }
    }

    static WebDriverWait waiting() {
        return new WebDriverWait(browser, Duration.ofSeconds(45));
    }

    static String text(String id) {
        return browser.findElement(By.id(id)).getText();
    }

    /** Opens a page and waits until its event stream has delivered a first snapshot. */
    static void open(String url) {
        browser.get(url);
        waiting().until(d -> text("status").startsWith("live"));
    }

    static void screenshot(String page) throws Exception {
        Files.createDirectories(SCREENSHOTS);
        Path shot = browser.getScreenshotAs(OutputType.FILE).toPath();
        Files.copy(shot, SCREENSHOTS.resolve(page + ".png"), StandardCopyOption.REPLACE_EXISTING);
    }

    static Object js(String script, Object... args) {
        return ((JavascriptExecutor) browser).executeScript(script, args);
    }

    /**
     * The text of every cell of the table rows matching {@code css}, read in one script: the pages
     * re-render their tables on every snapshot, so a row element found in one call may be stale in
     * the next.
     */
    @SuppressWarnings("unchecked")
    static List<List<String>> rows(String css) {
        return (List<List<String>>) js("return Array.from(document.querySelectorAll(arguments[0]))"
                + ".map(tr => Array.from(tr.cells).map(td => td.innerText.trim()));", css);
    }

    /** The dead-letter reasons table as reason -> count. */
    private static Map<String, String> reasons() {
        Map<String, String> reasons = new java.util.TreeMap<>();
        for (List<String> r : rows("#reasons tbody tr")) {
            reasons.put(r.get(0), r.get(1));
        }
        return reasons;
    }

    @Test
    void theSentimentPageShowsTheProducedCountsAndTheSelectedKeysScoreOverItsWords() throws Exception {
        try (Pipeline p = new Pipeline("127.0.0.1", null)) {
            open(p.base + "sentiment?key=conv-2");
            // As a job serving ROLLING writes them: a score after every word, then the verdict with the label.
            float[] conv2 = {0.40f, 0.62f, 0.81f, 0.93f};
            for (int c = 0; c < 6; c++) {
                float last = 0;
                for (int w = 0; w < 4; w++) {
                    last = c == 2 ? conv2[w] : c < 4 ? 0.8f : 0.2f;
                    p.prediction(PredictionKind.ROLLING, "conv-" + c, w, last, null, 1);
                }
                p.prediction(PredictionKind.MANY_TO_ONE, "conv-" + c, 3, last, 1, 1);
            }
            p.flush();

            waiting().until(d -> text("verdicts").equals("6"));
            waiting().until(d -> !rows("#keys tr[data-key='conv-2']").isEmpty());
            List<String> cells = rows("#keys tr[data-key='conv-2']").get(0);
            assertThat(cells.get(1)).isEqualTo("0.93");
            assertThat(cells.get(2)).isEqualTo("positive");
            assertThat(cells.get(3)).as("words").isEqualTo("4");
            assertThat(js("return document.querySelector(\"#keys tr[data-key='conv-2']\").className;").toString())
                    .contains("selected");
            assertThat(text("selectedKey")).isEqualTo("conv-2");
            waiting().until(d -> "4".equals(d.findElement(By.id("keyChart")).getAttribute("data-points")));
            assertThat(text("activeKeys")).isEqualTo("6");
            // Labelled: the last word of each; conv-4 and conv-5 (0.2) are wrong against label 1.
            assertThat(text("accuracy")).isEqualTo("66.7%");
            assertThat(text("labelled")).isEqualTo("6");
            assertThat(browser.findElements(By.cssSelector("#rateChart canvas"))).isNotEmpty();
            screenshot("sentiment");
        }
    }

    @Test
    void aKeyMadeOfMarkupRendersAsItsCharactersAndRunsNothing() throws Exception {
        try (Pipeline p = new Pipeline("127.0.0.1", null)) {
            open(p.base + "sentiment");
            js("window.__alerts = 0; window.alert = function () { window.__alerts++; };");
            p.prediction(XSS, 0, 0.7f, null, 1);
            p.deadLetter("text-events", "BAD_JSON", XSS);
            p.flush();

            // the key shows as text in a cell of its own (read in one script: the table re-renders)
            waiting().until(d -> rows("#keys tbody tr").stream().anyMatch(r -> r.contains(XSS)));
            assertThat(browser.findElements(By.cssSelector("#keys img"))).isEmpty();
            assertThat(js("return window.__alerts;")).isEqualTo(0L);

            browser.get(p.base + "pipeline");
            waiting().until(d -> text("deadLetters").equals("1"));
            assertThat(browser.findElement(By.cssSelector("#newestDeadLetters td.detail")).getText()).isEqualTo(XSS);
            assertThat(browser.findElements(By.cssSelector("#newestDeadLetters img"))).isEmpty();
        }
    }

    @Test
    void theFramesPageDrawsEachCamerasFrameWithItsPerFrameAndSmoothedLabels() throws Exception {
        try (Pipeline p = new Pipeline("127.0.0.1", null)) {
            open(p.base + "frames");
            var frames = Codecs.of(Frame.class, WireFormat.AVRO);
            var predictions = Codecs.of(Prediction.class, WireFormat.AVRO);
            for (int cam = 0; cam < 2; cam++) {
                byte[] pixels = new byte[28 * 28];
                for (int i = 0; i < pixels.length; i++) {
                    pixels[i] = (byte) ((i % 28) * 9); // a horizontal ramp, 0..243
                }
                String id = "camera-" + cam;
                p.send(p.topics.frames(), id, frames.encode(Frame.newBuilder().setStreamId(id).setFrameNo(11)
                        .setEventTime(Instant.now()).setHeight(28).setWidth(28).setChannels(1)
                        .setPixels(ByteBuffer.wrap(pixels)).setLabel(7).build()));
                for (PredictionKind kind : new PredictionKind[] {PredictionKind.FRAME, PredictionKind.MANY_TO_MANY}) {
                    // camera-0: per frame wrong (5), smoothed right (7); camera-1: both right
                    int label = kind == PredictionKind.FRAME && cam == 0 ? 5 : 7;
                    List<Float> probs = new ArrayList<>(Collections.nCopies(10, 0.02f));
                    probs.set(label, 0.82f);
                    p.send(p.topics.predictions(), id, predictions.encode(Prediction.newBuilder().setKey(id)
                            .setKind(kind).setStep(11).setProbabilities(probs).setLabel(label).setModelId("frames")
                            .setModelVersion(2).setEventTime(Instant.now()).setLatencyMs(12).setTrueLabel(7).build()));
                }
            }
            p.flush();

            String cardCss = ".camera[data-camera='camera-0'][data-smoothed='7']";
            waiting().until(d -> Boolean.TRUE.equals(js("return document.querySelector(arguments[0]) !== null;", cardCss)));
            // the card as one snapshot: the page may redraw it between two element reads
            @SuppressWarnings("unchecked")
            Map<String, Object> card = (Map<String, Object>) js("const c = document.querySelector(arguments[0]);"
                    + "return {label: c.dataset.label, frameNo: c.dataset.frameNo,"
                    + " perFrame: c.querySelector('.perFrame').innerText.trim(),"
                    + " smoothed: c.querySelector('.smoothed').innerText.trim(),"
                    + " truth: c.querySelector('.truth').innerText.trim()};", cardCss);
            assertThat(card.get("label")).isEqualTo("5");
            assertThat(card.get("perFrame")).isEqualTo("per frame: 5 (82%), v2");
            assertThat(card.get("smoothed")).isEqualTo("smoothed: 7 (82%), v2");
            assertThat(card.get("truth")).isEqualTo("true label: 7");
            assertThat(card.get("frameNo")).isEqualTo("11");
            // The canvas holds the frame's pixels, 4x4 each: column 20 of the ramp is 180.
            Object red = js("const c = document.querySelector(\".camera[data-camera='camera-0'] canvas\");"
                    + "return c.getContext('2d').getImageData(20 * 4 + 1, 3 * 4 + 1, 1, 1).data[0];");
            assertThat(red).isEqualTo(180L);
            waiting().until(d -> text("perFrameAccuracy").equals("50.0%"));
            assertThat(text("smoothedAccuracy")).isEqualTo("100.0%");
            List<String> row7 = rows("#confusion tbody tr").get(7);
            assertThat(row7.get(0)).isEqualTo("7");
            assertThat(row7.get(1 + 5)).as("true 7 read as 5").isEqualTo("1");
            assertThat(row7.get(1 + 7)).as("true 7 read as 7").isEqualTo("1");
            screenshot("frames");
        }
    }

    @Test
    void thePipelinePageShowsEventsPredictionsLatencyAndDeadLettersByReason() throws Exception {
        try (Pipeline p = new Pipeline("127.0.0.1", null)) {
            open(p.base + "pipeline");
            for (int i = 0; i < 30; i++) {
                p.send(p.topics.countedInputs().get(0), "k" + i, new byte[] {1});
            }
            for (int i = 0; i < 20; i++) {
                p.prediction("k" + i, 0, 0.6f, null, 1); // latency 20 ms each
            }
            p.deadLetter("text-events", "UNDECODABLE", "not avro");
            p.deadLetter("text-events", "UNDECODABLE", "not avro either");
            p.deadLetter("text-events", "KEY_TOO_LONG", "a key of 300000 bytes");
            p.flush();

            waiting().until(d -> text("events").equals("30") && text("predictions").equals("20")
                    && text("deadLetters").equals("3"));
            assertThat(text("p50")).isEqualTo("20");
            assertThat(text("p99")).isEqualTo("20");
            Map<String, String> expected = Map.of("KEY_TOO_LONG", "1", "UNDECODABLE", "2");
            waiting().until(d -> reasons().equals(expected));
            assertThat(reasons()).isEqualTo(expected);
            assertThat(text("restarts")).as("no job metrics given").isEqualTo("-");
            // The rates are over the last full seconds: they rise once a second has passed.
            waiting().until(d -> !text("eventsRate").equals("0.0") && !text("eventsRate").equals("-"));
            assertThat(browser.findElements(By.cssSelector("#throughputChart canvas"))).isNotEmpty();
            screenshot("pipeline");
        }
    }

    @Test
    void theModelTimelineShowsEveryVersionTheServedOneAndTheRejectedCandidates() throws Exception {
        try (Pipeline p = new Pipeline("127.0.0.1", null)) {
            open(p.base + "models");
            p.modelUpdate("sentiment", 1, Map.of());
            p.modelUpdate("sentiment", 2, Map.of("score", 0.71, "parentVersion", 1.0));
            p.modelUpdate("sentiment", 3, Map.of("score", 0.78, "parentVersion", 2.0));
            p.modelUpdate("sentiment", 4, Map.of("score", 0.71, "parentVersion", 3.0, "rolledBackFrom", 3.0));
            p.deadLetter("", "CANDIDATE_REJECTED", "model sentiment: candidate scored 0.61 against 0.78");
            p.deadLetter(p.topics.modelUpdates(), "UNSIGNED", "model sentiment v9 carries no signature");
            for (int i = 0; i < 4; i++) {
                p.prediction("k" + i, 0, 0.9f, i < 3 ? 1 : 0, 3); // v3: 3 of 4 right
            }
            p.prediction("k9", 0, 0.9f, 1, 4);
            p.flush();

            waiting().until(d -> d.findElements(By.cssSelector("#versions tbody tr")).size() == 4
                    && d.findElements(By.cssSelector("#rejections tbody tr")).size() == 2);
            waiting().until(d -> {
                List<List<String>> serving = rows("#serving tr[data-model='sentiment']");
                return !serving.isEmpty() && serving.get(0).get(1).equals("4");
            });
            List<String> newest = rows("#versions tbody tr").get(0);
            assertThat(newest.get(1)).isEqualTo("4");
            assertThat(newest.get(5)).as("rolled back from").isEqualTo("v3");
            List<String> v3 = rows("#versions tbody tr").get(1);
            assertThat(v3.get(3)).isEqualTo("0.78");
            waiting().until(d -> rows("#versions tbody tr").get(1).get(6).equals("0.75"));
            List<String> reasons = rows("#rejections tbody tr").stream().map(r -> r.get(1)).toList();
            assertThat(reasons).containsExactlyInAnyOrder("CANDIDATE_REJECTED", "UNSIGNED");
            screenshot("models");
        }
    }

    @Test
    void aMetricOrScoreThatIsNotANumberShowsAsADashAndThePagesKeepUpdating() throws Exception {
        try (Pipeline p = new Pipeline("127.0.0.1", null)) {
            open(p.base + "models");
            p.modelUpdate("sentiment", 1, Map.of("score", Double.NaN, "parentVersion", Double.POSITIVE_INFINITY));
            p.modelUpdate("sentiment", 2, Map.of("score", 0.7, "parentVersion", 1.0));
            p.prediction("nan-key", 0, Float.NaN, 1, 2);
            p.flush();

            // both versions listed: the NaN one neither stops the table nor the page's updates
            waiting().until(d -> rows("#versions tbody tr").size() == 2);
            List<String> v1 = rows("#versions tbody tr").get(1);
            assertThat(v1.get(1)).isEqualTo("1");
            assertThat(v1.get(3)).as("score").isEqualTo("-");
            assertThat(v1.get(4)).as("parent").isEqualTo("-");
            assertThat(rows("#versions tbody tr").get(0).get(3)).isEqualTo("0.7");
            String before = text("status");
            waiting().until(d -> !text("status").equals(before));

            open(p.base + "sentiment");
            waiting().until(d -> !rows("#keys tr[data-key='nan-key']").isEmpty());
            assertThat(rows("#keys tr[data-key='nan-key']").get(0).get(1)).isEqualTo("-");
            String then = text("status");
            waiting().until(d -> !text("status").equals(then));
        }
    }

    @Test
    void everyPageLoadsItsScriptsStylesAndChartLibraryFromTheDashboardItself() throws Exception {
        try (Pipeline p = new Pipeline("127.0.0.1", null)) {
            for (String page : DashboardServer.PAGES) {
                open(p.base + page);
                @SuppressWarnings("unchecked")
                List<String> loaded = (List<String>) js(
                        "return performance.getEntriesByType('resource').map(e => e.name);");
                assertThat(loaded).as(page).isNotEmpty().allSatisfy(u -> assertThat(u).startsWith(p.base));
                assertThat(loaded).as(page).anySatisfy(u -> assertThat(u).endsWith("assets/uPlot.iife.min.js"));
                assertThat(js("return typeof uPlot;")).isEqualTo("function");
            }
        }
    }

    @Test
    void onANonLoopbackAddressEveryPageWantsTheTokenAndWorksWithIt() throws Exception {
        InetAddress address = nonLoopbackAddress();
        if (address == null) {
            System.out.println("token-in-the-browser test skipped: this machine has no non-loopback IPv4 address");
        }
        Assumptions.assumeTrue(address != null, "no non-loopback IPv4 address");
        try (Pipeline p = new Pipeline(address.getHostAddress(), null)) {
            String token = p.server.token();
            assertThat(token).as("generated for a non-loopback bind").hasSize(32);
            browser.get(p.base + "sentiment");
            assertThat(browser.findElement(By.tagName("body")).getText()).contains("access token is required");
            assertThat(browser.findElements(By.id("status"))).isEmpty();
            browser.get(p.base + "sentiment?token=wrong");
            assertThat(browser.findElements(By.id("status"))).isEmpty();

            open(p.base + "sentiment?token=" + token);
            p.prediction("with-token", 0, 0.9f, null, 1);
            p.flush();
            waiting().until(d -> text("verdicts").equals("1"));
            browser.findElement(By.linkText("Pipeline")).click(); // the link carries the token
            waiting().until(d -> d.getCurrentUrl().contains("/pipeline") && text("status").startsWith("live"));
            assertThat(text("predictions")).isEqualTo("1");
        }
    }

    /** An address of this machine that is not loopback (any other interface), or null. */
    static InetAddress nonLoopbackAddress() throws Exception {
        for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
            if (!nic.isUp() || nic.isLoopback()) {
                continue;
            }
            for (InetAddress a : Collections.list(nic.getInetAddresses())) {
                if (a instanceof Inet4Address && !a.isLoopbackAddress()) {
                    return a;
                }
            }
        }
        return null;
    }
}
