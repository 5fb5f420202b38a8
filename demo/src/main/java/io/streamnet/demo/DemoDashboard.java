package io.streamnet.demo;

import io.streamnet.dashboard.DashboardFeed;
import io.streamnet.datasets.FashionMnist;
import io.streamnet.dashboard.aggregate.DashboardState;
import io.streamnet.dashboard.server.DashboardServer;
import io.streamnet.dashboard.JobMetricsWatch;
import io.streamnet.local.kafka.EmbeddedKafka;
import io.streamnet.contract.ClientProperties;
import io.streamnet.serving.wire.WireFormat;

/** The dashboard the demos start beside their broker (JSON on the wire, as the demos write it). */
final class DemoDashboard implements AutoCloseable {
    private final DashboardFeed feed;
    private final DashboardServer server;
    private final DashboardState state;
    private JobMetricsWatch watch;

    private DemoDashboard(DashboardState state, DashboardFeed feed, DashboardServer server) {
        this.state = state;
        this.feed = feed;
        this.server = server;
    }

    public static DemoDashboard start(EmbeddedKafka kafka, int port) {
        DashboardState state = new DashboardState();
        state.frames().classNames(FashionMnist.CLASS_NAMES); // the demo's cameras show Fashion-MNIST
        DashboardFeed feed = new DashboardFeed(DashboardFeed.Settings.pipeline(kafka.bootstrapServers(),
                ClientProperties.NONE, WireFormat.JSON, true, true), state).start();
        return new DemoDashboard(state, feed, new DashboardServer(state, "127.0.0.1", port, null).start());
    }

    /** Reads the job's restarts from its Prometheus endpoint (null: none to read). */
    public void watchJob(String metricsUrl) {
        if (metricsUrl != null) {
            watch = new JobMetricsWatch(metricsUrl, state.pipeline()).start();
        }
    }

    /** The URL to open, with the token if the server has one (on loopback, as here, it has none). */
    public String url() {
        return "http://127.0.0.1:" + server.port() + "/" + (server.token() == null ? "" : "?token=" + server.token());
    }

    /** What the dashboard has shown so far, in one line. */
    public String summary() {
        var p = state.pipeline();
        long restarts = p.restarts();
        return String.format("dashboard showed %d predictions (%d conversations, %d cameras), %d dead letters, "
                        + "job restarts %s", p.predictions(), state.sentiment().keys().size(),
                state.frames().cameras(), p.deadLetters(), restarts < 0 ? "unknown" : Long.toString(restarts));
    }

    @Override
    public void close() throws InterruptedException {
        if (watch != null) {
            watch.close();
        }
        server.close();
        feed.close();
    }
}
