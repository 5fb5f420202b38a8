package io.streamnet.local.flink;

import io.streamnet.local.FreePorts;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.JobManagerOptions;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.configuration.WebOptions;
import io.streamnet.local.flink.metrics.LoopbackPrometheusReporter;
import io.streamnet.local.flink.metrics.LoopbackPrometheusReporterFactory;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * A local Flink cluster in this JVM with its Web UI on 127.0.0.1. Every listener it opens (REST and
 * Web UI, RPC, blob server, TaskManager data exchange, metrics query service) binds 127.0.0.1, and
 * jar upload through the Web UI is off: this cluster runs the job it was made for, nothing a page
 * visitor sends. The Prometheus metrics, when on, are served on 127.0.0.1 too. Its REST API allows
 * cross-origin reads by its own origin only (Flink's default, {@code *}, lets any web page the user
 * visits read the job's exceptions, configuration and logs).
 */
public final class LocalFlink {
    static final String LOOPBACK = "127.0.0.1";

    private LocalFlink() {
    }

    /** With no Prometheus metrics. */
    public static StreamExecutionEnvironment withWebUi(int webPort, int slots) {
        return withWebUi(webPort, slots, -1);
    }

    /**
     * @param webPort the Web UI / REST port; 0 picks a free one
     * @param metricsPort the Prometheus port; 0 picks a free one, negative: none
     */
    public static StreamExecutionEnvironment withWebUi(int webPort, int slots, int metricsPort) {
        Configuration conf = new Configuration();
        if (metricsPort >= 0) {
            LoopbackPrometheusReporterFactory.enable(conf, LOOPBACK, metricsPort);
        }
        conf.set(RestOptions.BIND_ADDRESS, "127.0.0.1");
        conf.set(RestOptions.ADDRESS, "127.0.0.1");
        // the origin names the port, so a free one is chosen here rather than by Flink
        int port = webPort == 0 ? freeLoopbackPort() : webPort;
        conf.set(RestOptions.BIND_PORT, Integer.toString(port));
        conf.set(WebOptions.ACCESS_CONTROL_ALLOW_ORIGIN, origin(port));
        conf.set(JobManagerOptions.ADDRESS, LOOPBACK);
        conf.set(JobManagerOptions.BIND_HOST, LOOPBACK);
        conf.set(TaskManagerOptions.HOST, LOOPBACK);
        conf.set(TaskManagerOptions.BIND_HOST, LOOPBACK);
        conf.set(WebOptions.SUBMIT_ENABLE, false);
        conf.set(WebOptions.CANCEL_ENABLE, false);
        conf.set(TaskManagerOptions.NUM_TASK_SLOTS, slots);
        return StreamExecutionEnvironment.createLocalEnvironmentWithWebUI(conf);
    }

    /** The only origin whose pages may read a local cluster's REST API: its own Web UI's. */
    public static String origin(int port) {
        return "http://" + LOOPBACK + ":" + port;
    }

    /** A free port on 127.0.0.1 (for the Web UI: see {@link FreePorts}). */
    public static int freeLoopbackPort() {
        return FreePorts.one();
    }

    /** Where this JVM's local cluster serves its Prometheus metrics, once the job runs; null when off. */
    public static String metricsUrl() {
        var running = LoopbackPrometheusReporter.running();
        return running.isEmpty() ? null : "http://127.0.0.1:" + running.get(0).getPort() + "/metrics";
    }
}
