package io.streamnet.cli.jobs;

import io.streamnet.flink.frame.FrameJob;
import io.streamnet.flink.frame.FrameJobConfig;
import io.streamnet.flink.sequence.SequenceJob;
import io.streamnet.flink.sequence.SequenceJobConfig;
import io.streamnet.serving.model.ServedFrameModel;
import io.streamnet.serving.model.ServedSequenceModel;
import java.io.File;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code streamnet submit sequence|frames --jobmanager host:port}: submits the job to a running Flink
 * cluster through its REST endpoint and returns (detached). streamnet's jars and the libraries Flink
 * does not have (Kafka connector, Avro, Jackson) travel with the job; Flink's own stay on the cluster.
 * Checkpoints are retained in {@code --checkpoint-dir}; submitted again (after a JobManager crash,
 * which a cluster without high availability does not survive), the job resumes from the newest.
 */
@Command(name = "submit", mixinStandardHelpOptions = true,
        description = "Submit a streamnet Flink job to a cluster (REST host:port) and return. Jobs: sequence, frames.")
public final class SubmitCommand implements Callable<Integer> {
    @Parameters(index = "0", description = "The job: sequence (per-key RNN inference) or frames (CNN frame classification).")
    String job;

    @Option(names = "--jobmanager", required = true, description = "The JobManager's REST address, host:port.")
    String jobManager;

    @Mixin
    JobOptions options;

    @Mixin
    RecoveryOptions recovery;

    @Override
    public Integer call() throws Exception {
        if (!job.equals("sequence") && !job.equals("frames")) {
            System.err.println("unknown job '" + job + "'; jobs: sequence, frames");
            return 2;
        }
        int colon = jobManager.lastIndexOf(':');
        if (colon <= 0) {
            System.err.println("--jobmanager must be host:port, got " + jobManager);
            return 2;
        }
        if (options.checkpointDir == null) {
            // The default is a temp directory of this machine: a remote cluster's processes cannot share it.
            System.err.println("submit needs --checkpoint-dir: a path or URI every JobManager and TaskManager"
                    + " reaches (file:///shared/checkpoints, s3://bucket/checkpoints, hdfs://...)");
            return 2;
        }
        String host = jobManager.substring(0, colon);
        int port = Integer.parseInt(jobManager.substring(colon + 1));
        StreamExecutionEnvironment env = StreamExecutionEnvironment.createRemoteEnvironment(host, port,
                jobJars().toArray(String[]::new));
        if (job.equals("frames")) {
            ServedFrameModel model = options.initialFrameModel();
            FrameJobConfig.Builder b = options.frameConfig().toBuilder();
            System.out.println(recovery.apply(job, b, options.checkpointDir));
            FrameJobConfig c = b.build();
            FrameJob.build(env, c, model);
            JobClient client = env.executeAsync(FrameJob.NAME);
            System.out.printf("submitted job %s to %s: %s -> %s, model %s, batch %d%n", client.getJobID(), jobManager,
                    c.kafka().inputTopic(), c.kafka().predictionsTopic(), model, c.batching().size());
            return 0;
        }
        ServedSequenceModel model = options.initialModel();
        SequenceJobConfig.Builder b = options.config(model).toBuilder();
        System.out.println(recovery.apply(job, b, options.checkpointDir));
        SequenceJobConfig c = b.build();
        SequenceJob.build(env, c, model);
        JobClient client = env.executeAsync(SequenceJob.NAME);
        System.out.printf("submitted job %s to %s: %s -> %s, model %s, mode %s%n", client.getJobID(), jobManager,
                c.kafka().inputTopic(), c.kafka().predictionsTopic(), model, c.mode());
        return 0;
    }

    /** The jars on this classpath that a Flink cluster does not already hold. */
    static List<String> jobJars() throws URISyntaxException, java.io.IOException {
        return jobJars(false);
    }

    /** {@code withCli}: also the command line's own libraries (an image runs the CLI and ApplicationJob's parser). */
    static List<String> jobJars(boolean withCli) throws URISyntaxException, java.io.IOException {
        List<String> jars = new ArrayList<>();
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            Path p = Path.of(entry);
            String name = p.getFileName().toString();
            boolean cli = withCli && Stream.of("picocli", "progressbar", "jline").anyMatch(name::startsWith);
            if (Files.isRegularFile(p) && name.endsWith(".jar") && (cli || !providedByFlink(name))) {
                jars.add(p.toAbsolutePath().toString());
            }
        }
        return jars;
    }

    /**
     * Flink's own jars are on every cluster (and org.apache.flink classes load parent-first anyway);
     * the Kafka connector, connector base and Avro format are not part of Flink's distribution, so
     * they travel. Kafka's broker side and the CLI's own libraries stay home, and so does RocksDB:
     * Flink brings its own fork (and loads org.rocksdb parent-first); Kafka Streams' is not used by jobs.
     */
    private static boolean providedByFlink(String jar) {
        if (jar.startsWith("flink-connector-") || jar.startsWith("flink-avro")) {
            return false;
        }
        return Stream.of("flink-", "scala-", "log4j-", "slf4j-", "picocli", "progressbar", "jline", "kafka_2",
                "kafka-server", "kafka-raft", "kafka-metadata", "kafka-storage", "kafka-group", "kafka-coordinator",
                "kafka-transaction", "kafka-share", "kafka-streams", "frocksdbjni", "rocksdbjni").anyMatch(jar::startsWith);
    }
}
