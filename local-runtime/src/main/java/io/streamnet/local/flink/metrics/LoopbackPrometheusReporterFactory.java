package io.streamnet.local.flink.metrics;

import java.util.Properties;
import org.apache.flink.configuration.ConfigOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.metrics.reporter.MetricReporter;
import org.apache.flink.metrics.reporter.MetricReporterFactory;

/**
 * Makes the {@link LoopbackPrometheusReporter}: {@code metrics.reporter.<name>.factory.class} set to
 * this class, with {@code host} (default 127.0.0.1) and {@code port} (default 9249; 0 picks a free one).
 */
public final class LoopbackPrometheusReporterFactory implements MetricReporterFactory {
    public static final String HOST = "host";
    public static final String PORT = "port";
    public static final String DEFAULT_HOST = "127.0.0.1";
    public static final int DEFAULT_PORT = 9249;

    /** Turns the reporter on in {@code conf} (as reporter "prom"), on {@code host:port}. */
    public static Configuration enable(Configuration conf, String host, int port) {
        String prefix = "metrics.reporter.prom.";
        conf.set(ConfigOptions.key(prefix + "factory.class").stringType().noDefaultValue(),
                LoopbackPrometheusReporterFactory.class.getName());
        conf.set(ConfigOptions.key(prefix + HOST).stringType().noDefaultValue(), host);
        conf.set(ConfigOptions.key(prefix + PORT).stringType().noDefaultValue(), Integer.toString(port));
        return conf;
    }

    @Override
    public MetricReporter createMetricReporter(Properties properties) {
        String host = properties.getProperty(HOST, DEFAULT_HOST);
        int port = Integer.parseInt(properties.getProperty(PORT, Integer.toString(DEFAULT_PORT)).trim());
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("metrics port must be 0..65535, got " + port);
        }
        return new LoopbackPrometheusReporter(host, port);
    }
}
