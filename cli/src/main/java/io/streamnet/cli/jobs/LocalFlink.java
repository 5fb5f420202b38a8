package io.streamnet.cli.jobs;

import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.JobManagerOptions;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.configuration.WebOptions;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * A local Flink cluster in this JVM with its Web UI on 127.0.0.1. Every listener it opens (REST and
 * Web UI, RPC, blob server, TaskManager data exchange, metrics query service) binds 127.0.0.1, and
 * jar upload through the Web UI is off: this cluster runs the job it was made for, nothing a page
 * visitor sends.
 */
public final class LocalFlink {
    static final String LOOPBACK = "127.0.0.1";

    private LocalFlink() {
    }

    /** @param webPort the Web UI / REST port; 0 picks a free one */
    public static StreamExecutionEnvironment withWebUi(int webPort, int slots) {
        Configuration conf = new Configuration();
        conf.set(RestOptions.BIND_ADDRESS, "127.0.0.1");
        conf.set(RestOptions.ADDRESS, "127.0.0.1");
        conf.set(RestOptions.BIND_PORT, Integer.toString(webPort));
        conf.set(JobManagerOptions.ADDRESS, LOOPBACK);
        conf.set(JobManagerOptions.BIND_HOST, LOOPBACK);
        conf.set(TaskManagerOptions.HOST, LOOPBACK);
        conf.set(TaskManagerOptions.BIND_HOST, LOOPBACK);
        conf.set(WebOptions.SUBMIT_ENABLE, false);
        conf.set(WebOptions.CANCEL_ENABLE, false);
        conf.set(TaskManagerOptions.NUM_TASK_SLOTS, slots);
        return StreamExecutionEnvironment.createLocalEnvironmentWithWebUI(conf);
    }
}
