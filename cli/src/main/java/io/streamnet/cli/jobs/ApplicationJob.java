package io.streamnet.cli.jobs;

import io.streamnet.flink.frame.FrameJob;
import io.streamnet.flink.frame.FrameJobConfig;
import io.streamnet.flink.sequence.SequenceJob;
import io.streamnet.flink.sequence.SequenceJobConfig;
import io.streamnet.flink.training.SequenceTrainingJob;
import io.streamnet.flink.training.TrainingJobConfig;
import java.util.concurrent.Callable;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/**
 * The entry class of a job image in Flink's application mode (the Kubernetes operator's
 * {@code FlinkDeployment}, {@code standalone-job} in compose): {@code sequence|frames|training} and
 * the options {@code streamnet run} takes, on the cluster's own environment. It never calls
 * {@code System.exit} (that would take the JobManager down with it); a bad option throws. What the
 * job restores from is the cluster's business (the operator's upgrade mode, HA): with
 * {@code execution.savepoint.path} set, the job resumes from it.
 */
@Command(name = "streamnet-job", mixinStandardHelpOptions = true,
        description = "A streamnet job in Flink's application mode. Jobs: sequence, frames, training.")
public final class ApplicationJob implements Callable<Integer> {
    private static final Logger LOG = LoggerFactory.getLogger(ApplicationJob.class);

    @Parameters(index = "0", description = "sequence, frames or training.")
    String job;

    @Mixin
    JobOptions options;

    @Mixin
    TrainingOptions training;

    public static void main(String[] args) throws Exception {
        CommandLine cli = command();
        cli.setExecutionExceptionHandler((e, cmd, parsed) -> {
            throw e;
        });
        int rc = cli.execute(args);
        if (rc != 0) {
            throw new IllegalArgumentException("streamnet-job " + String.join(" ", args) + " exited with " + rc);
        }
    }

    /** The command line the manifests' {@code args} are parsed by (tests check them against it). */
    public static CommandLine command() {
        return new CommandLine(new ApplicationJob()).setExpandAtFiles(false); // @FILE: see SecretArgument
    }

    @Override
    public Integer call() throws Exception {
        if (options.checkpointDir == null) {
            throw new IllegalArgumentException("--checkpoint-dir is required: a URI every JobManager and TaskManager "
                    + "reaches (file:///checkpoints on a shared volume, s3://bucket/checkpoints)");
        }
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        // Every job retains its checkpoints on cancellation: an upgrade or a lost JobManager resumes from the newest.
        switch (job) {
            case "sequence" -> {
                var model = options.initialModel();
                SequenceJobConfig c = options.config(model).toBuilder().retainCheckpoints(true).build();
                SequenceJob.build(env, c, model);
                LOG.info("streamnet sequence job: {} -> {}, model {}, mode {}", c.kafka().inputTopic(),
                        c.kafka().predictionsTopic(), model, c.mode());
                env.execute(SequenceJob.NAME);
            }
            case "frames" -> {
                var model = options.initialFrameModel();
                FrameJobConfig c = options.frameConfig().toBuilder().retainCheckpoints(true).build();
                FrameJob.build(env, c, model);
                LOG.info("streamnet frame job: {} -> {}, model {}", c.kafka().inputTopic(), c.kafka().predictionsTopic(),
                        model);
                env.execute(FrameJob.NAME);
            }
            case "training" -> {
                var model = RunCommand.trainingStart(options, training);
                TrainingJobConfig c = options.trainingConfig(training).toBuilder().retainCheckpoints(true).build();
                SequenceTrainingJob.build(env, c, model);
                LOG.info("streamnet training job: learns from {}, publishes {} to {}", c.kafka().inputTopic(), model,
                        c.kafka().modelUpdatesTopic());
                env.execute(SequenceTrainingJob.NAME);
            }
            default -> throw new IllegalArgumentException("unknown job '" + job + "'; jobs: sequence, frames, training");
        }
        return 0;
    }
}
