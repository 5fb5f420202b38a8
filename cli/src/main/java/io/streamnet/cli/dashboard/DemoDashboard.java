package io.streamnet.cli.dashboard;

import io.streamnet.dashboard.DashboardFeed;
import io.streamnet.dashboard.aggregate.DashboardState;
import io.streamnet.dashboard.server.DashboardServer;
import io.streamnet.kafka.admin.PipelineTopics;
import io.streamnet.kafka.broker.EmbeddedKafka;
import io.streamnet.kafka.client.ClientProperties;
import io.streamnet.serving.wire.WireFormat;

/** The dashboard the demos start beside their broker (JSON on the wire, as the demos write it). */
public final class DemoDashboard implements AutoCloseable {
    private final DashboardFeed feed;
    private final DashboardServer server;

    private DemoDashboard(DashboardFeed feed, DashboardServer server) {
        this.feed = feed;
        this.server = server;
    }

    public static DemoDashboard start(EmbeddedKafka kafka, int port) {
        DashboardState state = new DashboardState();
        DashboardFeed feed = new DashboardFeed(new DashboardFeed.Settings(kafka.bootstrapServers(), ClientProperties.NONE,
                WireFormat.JSON, PipelineTopics.PREDICTIONS, PipelineTopics.DEAD_LETTERS, PipelineTopics.MODEL_UPDATES,
                true, true), state).start();
        return new DemoDashboard(feed, new DashboardServer(state, "127.0.0.1", port, null).start());
    }

    public String url() {
        return DashboardCommand.url(server, "127.0.0.1");
    }

    @Override
    public void close() throws InterruptedException {
        server.close();
        feed.close();
    }
}
