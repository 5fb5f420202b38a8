package io.streamnet.local.flink.metrics;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.metrics.HistogramStatistics;
import org.apache.flink.metrics.LogicalScopeProvider;
import org.apache.flink.metrics.Meter;
import org.apache.flink.metrics.Metric;
import org.apache.flink.metrics.MetricConfig;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.metrics.reporter.MetricReporter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Flink's metrics for Prometheus to scrape, on {@code host:port/metrics}: 127.0.0.1 unless told
 * otherwise. Flink's own PrometheusReporter binds every interface with no way to choose one; this
 * one names the metrics as it does (see {@link PrometheusText}), counters and gauges as gauges,
 * meters as their rate, histograms as summaries (quantiles and count).
 */
public final class LoopbackPrometheusReporter implements MetricReporter {
    private static final Logger LOG = LoggerFactory.getLogger(LoopbackPrometheusReporter.class);
    private static final double[] QUANTILES = {0.5, 0.75, 0.95, 0.98, 0.99, 0.999};
    private static final List<InetSocketAddress> RUNNING = new CopyOnWriteArrayList<>();

    /** A registered metric: its Prometheus name and labels. */
    private record Registered(String name, Map<String, String> labels, Metric metric) {
    }

    private final String host;
    private final int port;
    private final Map<Metric, Registered> metrics = new ConcurrentHashMap<>();
    private HttpServer server;
    private ExecutorService executor;

    LoopbackPrometheusReporter(String host, int port) {
        this.host = host;
        this.port = port;
    }

    /** The addresses of the reporters serving in this JVM (a local cluster's, for printing). */
    public static List<InetSocketAddress> running() {
        return List.copyOf(RUNNING);
    }

    @Override
    public void open(MetricConfig config) {
        try {
            server = HttpServer.create(new InetSocketAddress(host, port), 16);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot serve metrics on " + host + ":" + port, e);
        }
        executor = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "prometheus-metrics");
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(executor);
        server.createContext("/", this::serve);
        server.start();
        RUNNING.add(server.getAddress());
        LOG.info("Prometheus metrics on http://{}:{}/metrics", host, server.getAddress().getPort());
    }

    @Override
    public void close() {
        if (server != null) {
            RUNNING.remove(server.getAddress());
            server.stop(0);
            executor.shutdownNow();
        }
    }

    @Override
    public void notifyOfAddedMetric(Metric metric, String metricName, MetricGroup group) {
        String scope = LogicalScopeProvider.castFrom(group).getLogicalScope(PrometheusText::name, '_');
        Map<String, String> labels = new TreeMap<>();
        group.getAllVariables().forEach((k, v) -> labels.put(PrometheusText.name(k.replaceAll("^<|>$", "")), v));
        metrics.put(metric, new Registered(PrometheusText.name("flink_" + scope + "_" + metricName), labels, metric));
    }

    @Override
    public void notifyOfRemovedMetric(Metric metric, String metricName, MetricGroup group) {
        metrics.remove(metric);
    }

    /** The exposition of every metric registered now. */
    String scrape() {
        Map<String, List<Registered>> families = new TreeMap<>();
        for (Registered r : metrics.values()) {
            families.computeIfAbsent(r.name(), k -> new ArrayList<>()).add(r);
        }
        StringBuilder out = new StringBuilder(64 * 1024);
        for (Map.Entry<String, List<Registered>> f : families.entrySet()) {
            Metric first = f.getValue().get(0).metric();
            PrometheusText.type(out, f.getKey(), first instanceof Histogram ? "summary" : "gauge");
            for (Registered r : f.getValue()) {
                int mark = out.length();
                try {
                    write(out, r);
                } catch (RuntimeException e) {
                    // Some of Flink's own gauges throw while a checkpoint is in flight (the sink committer's
                    // pending committables): that one sample is left out, the rest of the scrape stands.
                    out.setLength(mark);
                    LOG.debug("metric {} unreadable now: {}", r.name(), e.toString());
                }
            }
        }
        return out.toString();
    }

    private static void write(StringBuilder out, Registered r) {
        Metric m = r.metric();
        if (m instanceof Counter c) {
            PrometheusText.sample(out, r.name(), r.labels(), null, null, c.getCount());
        } else if (m instanceof Meter meter) {
            PrometheusText.sample(out, r.name(), r.labels(), null, null, meter.getRate());
        } else if (m instanceof Histogram h) {
            HistogramStatistics s = h.getStatistics();
            for (double q : QUANTILES) {
                PrometheusText.sample(out, r.name(), r.labels(), "quantile", Double.toString(q), s.getQuantile(q));
            }
            PrometheusText.sample(out, r.name() + "_count", r.labels(), null, null, h.getCount());
        } else if (m instanceof Gauge<?> g) {
            Object v = g.getValue();
            if (v instanceof Number n) {
                PrometheusText.sample(out, r.name(), r.labels(), null, null, n.doubleValue());
            } else if (v instanceof Boolean b) {
                PrometheusText.sample(out, r.name(), r.labels(), null, null, b ? 1 : 0);
            }
            // other gauge values (strings) have no Prometheus sample
        }
    }

    private void serve(HttpExchange exchange) throws IOException {
        try (exchange) {
            byte[] body;
            int status;
            if (!"GET".equals(exchange.getRequestMethod())) {
                status = 405;
                body = "GET only\n".getBytes(StandardCharsets.UTF_8);
            } else {
                status = 200;
                body = scrape().getBytes(StandardCharsets.UTF_8);
            }
            exchange.getResponseHeaders().set("Content-Type", "text/plain; version=0.0.4; charset=utf-8");
            exchange.sendResponseHeaders(status, body.length);
            try (OutputStream o = exchange.getResponseBody()) {
                o.write(body);
            }
        } catch (RuntimeException e) {
            LOG.warn("metrics scrape failed", e);
        }
    }
}
