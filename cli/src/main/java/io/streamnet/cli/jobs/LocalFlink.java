package io.streamnet.cli.jobs;

import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/** A local Flink cluster in this JVM with its Web UI on 127.0.0.1. */
public final class LocalFlink {
    private LocalFlink() {
    }

    /** @param webPort the Web UI / REST port; 0 picks a free one */
    public static StreamExecutionEnvironment withWebUi(int webPort, int slots) {
        Configuration conf = new Configuration();
        conf.set(RestOptions.BIND_ADDRESS, "127.0.0.1");
        conf.set(RestOptions.ADDRESS, "127.0.0.1");
        conf.set(RestOptions.BIND_PORT, Integer.toString(webPort));
        conf.set(TaskManagerOptions.NUM_TASK_SLOTS, slots);
        return StreamExecutionEnvironment.createLocalEnvironmentWithWebUI(conf);
    }
}
