package io.streamnet.cli.dashboard;

import io.streamnet.kafka.client.KafkaClientOptions;
import io.streamnet.kafka.client.SecretArgument;
import io.streamnet.dashboard.DashboardFeed;
import io.streamnet.dashboard.aggregate.DashboardState;
import io.streamnet.dashboard.server.DashboardServer;
import io.streamnet.dashboard.JobMetricsWatch;
import io.streamnet.serving.wire.WireFormat;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code streamnet dashboard}: the live dashboard in the browser, until Ctrl-C. */
@Command(name = "dashboard", mixinStandardHelpOptions = true,
        description = "Live dashboards in the browser (sentiment, frames, pipeline, model timeline) from the pipeline's topics.")
public final class DashboardCommand implements Callable<Integer> {
    @Option(names = "--bootstrap", defaultValue = "127.0.0.1:9092", description = "Kafka bootstrap servers (default ${DEFAULT-VALUE}).")
    String bootstrap;

    @Option(names = "--host", defaultValue = "127.0.0.1", description = "Address to listen on; any but loopback requires the access token (default ${DEFAULT-VALUE}).")
    String host;

    @Option(names = "--port", defaultValue = "8090", description = "Port (0: any free one; default ${DEFAULT-VALUE}).")
    int port;

    @Option(names = "--token", paramLabel = "TOKEN|@FILE",
            description = "Access token, or @FILE to read it from FILE (out of ps); default: none on loopback, generated "
                    + "and printed otherwise. Empty is refused.")
    String token;

    @Option(names = "--format", defaultValue = "avro", description = "Wire format of predictions and dead letters, avro or json (default ${DEFAULT-VALUE}).")
    String format;

    @Option(names = "--from-latest", description = "Start from new records instead of each topic's beginning.")
    boolean fromLatest;

    @Option(names = "--read-uncommitted", description = "Also show records of open or aborted transactions (default: read_committed).")
    boolean readUncommitted;

    @Option(names = "--metrics", description = "The job's Prometheus endpoint (as `run` prints it), for its restarts on the pipeline page.")
    String metrics;

    @Option(names = "--class-names", split = ",", description = "The frame model's class names, in label order, shown beside the labels.")
    java.util.List<String> classNames = java.util.List.of();

    @Mixin
    KafkaClientOptions kafka = new KafkaClientOptions();

    @Override
    public Integer call() throws Exception {
        DashboardState state = new DashboardState();
        state.frames().classNames(classNames);
        String given = token();
        try (DashboardFeed feed = start(state, bootstrap, WireFormat.parse(format));
             DashboardServer server = new DashboardServer(state, host, port, given).start();
             JobMetricsWatch watch = metrics == null ? null : new JobMetricsWatch(metrics, state.pipeline()).start()) {
            // a token the user gave is theirs to know: only a generated one is printed
            System.out.println("dashboard: " + url(server, host, given == null));
            CountDownLatch done = new CountDownLatch(1);
            Runtime.getRuntime().addShutdownHook(new Thread(done::countDown));
            done.await();
        }
        return 0;
    }

    private DashboardFeed start(DashboardState state, String bootstrap, WireFormat wire) throws java.io.IOException {
        return new DashboardFeed(DashboardFeed.Settings.pipeline(bootstrap, kafka.settings(), wire, !readUncommitted,
                !fromLatest), state).start();
    }

    /** The access token given ({@code @FILE}: read from FILE), or null for none. */
    public String token() {
        String t = SecretArgument.resolve(token, "the access token");
        if (t != null && t.isBlank()) {
            throw new IllegalArgumentException("--token is empty" + (token.startsWith("@") ? " (" + token.substring(1)
                    + " holds nothing)" : "") + ": give a token, or none to have one generated");
        }
        return t;
    }

    /** The URL to open, with the token when one is required. */
    public static String url(DashboardServer server, String host) {
        return url(server, host, true);
    }

    /** The URL to open, with the token when one is required and {@code withToken}. */
    public static String url(DashboardServer server, String host, boolean withToken) {
        String base = "http://" + host + ":" + server.port() + "/";
        if (server.token() == null) {
            return base;
        }
        return withToken ? base + "?token=" + server.token() : base + " (open it with ?token= and your token)";
    }
}
