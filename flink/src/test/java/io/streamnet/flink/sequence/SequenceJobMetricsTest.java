package io.streamnet.flink.sequence;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamnet.engine.cpu.CpuBackend;
import io.streamnet.local.flink.metrics.LoopbackPrometheusReporter;
import io.streamnet.local.flink.metrics.LoopbackPrometheusReporterFactory;
import io.streamnet.contract.PipelineTopics;
import io.streamnet.rnn.cell.CellType;
import io.streamnet.rnn.model.ModelConfig;
import io.streamnet.rnn.model.OutputType;
import io.streamnet.rnn.model.SequenceModel;
import io.streamnet.serving.model.ServedSequenceModel;
import io.streamnet.serving.sequence.OutputMode;
import io.streamnet.serving.sequence.PoisonRecords;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.streamnet.flink.frame.FrameOperator;
import java.nio.file.Path;

/**
 * The sequence job on a real broker and a local Flink cluster with the reporter on: the operator's
 * metrics (events, predictions, bundle size, step time, latency, dead letters by reason, model
 * version) and the job's restarts are scraped from 127.0.0.1 with the values the input implies,
 * and no series carries a per-key label.
 */
class SequenceJobMetricsTest {
    static final int CONVERSATIONS = 20;
    static final int WORDS = 3;

    static String scraped;

    /** Runs the job on its input and scrapes it once every expected figure is there. */
    @BeforeAll
    static void runTheJobAndScrapeIt() throws Exception {
        SequenceModel model = new SequenceModel(CpuBackend.instance(),
                ModelConfig.tokens(CellType.GRU, 20, 6, 8, 1, 0f, 2, OutputType.MANY_TO_ONE), 11);
        try (PipelineFixture f = new PipelineFixture(2)) {
            try (var p = f.producer()) {
                for (int c = 0; c < CONVERSATIONS; c++) {
                    for (int i = 0; i < WORDS; i++) {
                        p.send(new org.apache.kafka.clients.producer.ProducerRecord<>(PipelineTopics.TEXT_EVENTS,
                                "conv-" + c, PoisonRecords.avro(PoisonRecords.text("conv-" + c, i, "abc", i == WORDS - 1))));
                    }
                }
                p.send(new org.apache.kafka.clients.producer.ProducerRecord<>(PipelineTopics.TEXT_EVENTS, "bad",
                        "{not avro".getBytes()));
                for (int i = 0; i < 2; i++) { // the second is a DUPLICATE, found by the operator
                    p.send(new org.apache.kafka.clients.producer.ProducerRecord<>(PipelineTopics.TEXT_EVENTS, "dup",
                            PoisonRecords.avro(PoisonRecords.text("dup", 0, "ab", false))));
                }
            }
            SequenceJobConfig c = f.config("metrics")
                    .parallelism(1)
                    .mode(OutputMode.MANY_TO_ONE).build();
            Configuration conf = LoopbackPrometheusReporterFactory.enable(new Configuration(), "127.0.0.1", 0);
            StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(1, conf);
            SequenceJob.build(env, c, ServedSequenceModel.load(CpuBackend.instance(),
                    OperatorFixtures.bytes(model, "metrics-model", 1), null, -1));
            JobClient job = env.executeAsync("metrics");
            try {
                scraped = scrapeUntil(body -> value(body, "flink_taskmanager_job_task_operator_predictionsOut") >= CONVERSATIONS
                        && value(body, "flink_taskmanager_job_task_operator_eventsIn") >= CONVERSATIONS * WORDS + 2
                        && value(body, "flink_taskmanager_job_task_operator_reason_deadLetters") >= 1
                        && value(body, "flink_taskmanager_job_task_operator_deadLettersDecode") >= 1
                        && body.contains("flink_jobmanager_job_numRestarts"));
            } finally {
                job.cancel().get();
            }
        }
    }

    @Test
    void theOperatorsMetricsAreScrapedFromLoopbackWithTheValuesTheInputImplies() {
        assertThat(value(scraped, "flink_taskmanager_job_task_operator_eventsIn")).isEqualTo(CONVERSATIONS * WORDS + 2);
        assertThat(value(scraped, "flink_taskmanager_job_task_operator_predictionsOut")).isEqualTo(CONVERSATIONS);
        assertThat(value(scraped, "flink_taskmanager_job_task_operator_modelVersion")).isEqualTo(1);
        assertThat(value(scraped, "flink_jobmanager_job_numRestarts")).isEqualTo(0);
        assertThat(value(scraped, "flink_taskmanager_job_task_operator_batchSize_count")).isPositive();
        assertThat(scraped).contains("# TYPE flink_taskmanager_job_task_operator_stepMicros summary")
                .containsPattern("flink_taskmanager_job_task_operator_endToEndLatencyMs\\{[^}]*quantile=\"0.99\"");
        assertThat(scraped).containsPattern("flink_taskmanager_job_task_operator_deadLettersDecode\\{[^}]*\\} 1\n");
        assertThat(scraped).containsPattern("flink_taskmanager_job_task_operator_reason_deadLetters\\{[^}]*reason=\"DUPLICATE\"[^}]*\\} 1\n");
        assertThat(scraped).doesNotContain("conv-").doesNotContain("\"dup\"");
    }

    @Test
    void everyMetricTheGrafanaDashboardQueriesIsOneTheJobsExport() throws Exception {
        JsonNode dashboard = new ObjectMapper().readTree(Path.of("..", "deploy", "grafana", "streamnet.json").toFile());
        List<String> exprs = dashboard.findValues("expr").stream().map(JsonNode::asText).toList();
        assertThat(exprs).hasSizeGreaterThan(10);
        // The frame job's two names of its own; the rest of its metrics are the same as this job's.
        List<String> frameJobOnly = List.of(FrameOperator.FRAMES_IN, FrameOperator.FORWARD_MICROS).stream()
                .map(n -> "flink_taskmanager_job_task_operator_" + n).toList();
        Matcher m = Pattern.compile("flink_[A-Za-z0-9_]+").matcher(String.join("\n", exprs));
        int names = 0;
        while (m.find()) {
            names++;
            String name = m.group();
            if (!frameJobOnly.contains(name)) {
                assertThat(scraped).as("%s, queried by the Grafana dashboard", name).containsPattern(
                        "(?m)^" + Pattern.quote(name) + "[{ ]");
            }
        }
        assertThat(names).isGreaterThan(10);
    }

    /** Scrapes the reporter of this JVM's cluster until {@code done} holds (a test timeout bounds it). */
    private static String scrapeUntil(java.util.function.Predicate<String> done) throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        String body = "";
        while (System.nanoTime() < deadline) {
            List<InetSocketAddress> running = LoopbackPrometheusReporter.running();
            if (!running.isEmpty()) {
                InetSocketAddress at = running.get(0);
                assertThat(at.getAddress().isLoopbackAddress()).as("bound to %s", at).isTrue();
                body = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + at.getPort() + "/metrics")).build(),
                        HttpResponse.BodyHandlers.ofString()).body();
                if (done.test(body)) {
                    return body;
                }
            }
            Thread.sleep(200);
        }
        throw new AssertionError("metrics never reached the expected values; last scrape:\n" + body);
    }

    /** The sum over the series of one metric name (0 when absent). */
    static double value(String body, String name) {
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(name) + "(?:\\{[^}]*\\})? (\\S+)$").matcher(body);
        double sum = 0;
        while (m.find()) {
            sum += Double.parseDouble(m.group(1));
        }
        return sum;
    }
}
