package io.streamnet.dashboard;

import io.streamnet.dashboard.aggregate.PipelineStats;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the job's restarts from its Prometheus endpoint every {@link #PERIOD_SECONDS} seconds (the
 * job's own count, {@code flink_jobmanager_job_numRestarts}, summed over its jobs): a restart is
 * Flink's to know, and its metrics are where it says so. Unreachable: the figure stays as it was.
 */
public final class JobMetricsWatch implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(JobMetricsWatch.class);
    static final int PERIOD_SECONDS = 2;
    private static final Pattern RESTARTS = Pattern.compile("(?m)^flink_jobmanager_job_numRestarts(?:\\{[^}]*\\})? (\\S+)$");

    private final URI url;
    private final PipelineStats pipeline;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "dashboard-job-metrics");
        t.setDaemon(true);
        return t;
    });

    public JobMetricsWatch(String url, PipelineStats pipeline) {
        this.url = URI.create(url);
        this.pipeline = pipeline;
    }

    public JobMetricsWatch start() {
        timer.scheduleWithFixedDelay(this::poll, 0, PERIOD_SECONDS, TimeUnit.SECONDS);
        return this;
    }

    private void poll() {
        try {
            String body = http.send(HttpRequest.newBuilder(url).timeout(Duration.ofSeconds(5)).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
            Long restarts = restarts(body);
            if (restarts != null) {
                pipeline.restarts(restarts);
            }
        } catch (Exception e) {
            LOG.debug("job metrics at {} unreadable: {}", url, e.toString());
        }
    }

    /** The restarts in a Prometheus exposition, or null when it has no job. */
    static Long restarts(String exposition) {
        Matcher m = RESTARTS.matcher(exposition);
        Long sum = null;
        while (m.find()) {
            sum = (sum == null ? 0 : sum) + (long) Double.parseDouble(m.group(1));
        }
        return sum;
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
