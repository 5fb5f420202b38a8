package io.streamnet.cli.jobs;

import io.streamnet.local.flink.LocalFlink;

import io.streamnet.flink.frame.FrameJob;
import io.streamnet.flink.frame.FrameJobConfig;
import io.streamnet.flink.sequence.SequenceJob;
import io.streamnet.flink.sequence.SequenceJobConfig;
import io.streamnet.flink.training.SequenceTrainingJob;
import io.streamnet.flink.training.TrainingJobConfig;
import io.streamnet.contract.PipelineTopics;
import io.streamnet.kafka.model.ModelUpdateReader;
import io.streamnet.serving.model.ModelUpdates;
import io.streamnet.serving.model.ServedFrameModel;
import io.streamnet.serving.model.ServedSequenceModel;
import io.streamnet.training.FreshModel;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code streamnet run sequence}: the job in a local Flink cluster (Web UI on 127.0.0.1) until Ctrl-C. */
@Command(name = "run", mixinStandardHelpOptions = true,
        description = "Run a streamnet Flink job in a local cluster with its Web UI, until Ctrl-C. Jobs: sequence, frames, training.")
public final class RunCommand implements Callable<Integer> {
    @Parameters(index = "0", description = "The job: sequence (per-key RNN inference), frames (CNN frame classification) "
            + "or training (online many-to-one training, publishing versions to model-updates).")
    String job;

    @Mixin
    JobOptions options;

    @Mixin
    TrainingOptions training;

    @Mixin
    RecoveryOptions recovery;

    @Option(names = "--web-port", defaultValue = "8081", description = "Flink Web UI port on 127.0.0.1 (0: any free one; default ${DEFAULT-VALUE}).")
    int webPort;

    @Option(names = "--metrics-port", defaultValue = "9249", description = "Prometheus metrics port on 127.0.0.1 (0: any free one, -1: off; default ${DEFAULT-VALUE}).")
    int metricsPort;

    @Override
    public Integer call() throws Exception {
        JobClient client;
        StreamExecutionEnvironment env;
        if (webPort == 0) {
            webPort = LocalFlink.freeLoopbackPort(); // chosen here so that the line printed names it
        }
        switch (job) {
            case "sequence" -> {
                ServedSequenceModel model = options.initialModel();
                SequenceJobConfig.Builder b = options.config(model).toBuilder();
                System.out.println(recovery.apply(job, b, options.checkpointDir));
                SequenceJobConfig c = b.build();
                env = LocalFlink.withWebUi(webPort, Math.max(2, c.parallelism()), metricsPort);
                SequenceJob.build(env, c, model);
                client = env.executeAsync(SequenceJob.NAME);
                System.out.printf("job %s running: %s -> %s, model %s, mode %s, %s; Web UI http://127.0.0.1:%d (Ctrl-C stops it)%n",
                        client.getJobID(), c.kafka().inputTopic(), c.kafka().predictionsTopic(), model, c.mode(),
                        c.kafka().delivery(), webPort);
            }
            case "frames" -> {
                ServedFrameModel model = options.initialFrameModel();
                FrameJobConfig.Builder b = options.frameConfig().toBuilder();
                System.out.println(recovery.apply(job, b, options.checkpointDir));
                FrameJobConfig c = b.build();
                env = LocalFlink.withWebUi(webPort, Math.max(2, c.parallelism()), metricsPort);
                FrameJob.build(env, c, model);
                client = env.executeAsync(FrameJob.NAME);
                System.out.printf("job %s running: %s -> %s, model %s, batch %d / %d ms, %s; Web UI http://127.0.0.1:%d (Ctrl-C stops it)%n",
                        client.getJobID(), c.kafka().inputTopic(), c.kafka().predictionsTopic(), model,
                        c.batching().size(), c.batching().maxWaitMillis(), c.kafka().delivery(), webPort);
            }
            case "training" -> {
                ServedSequenceModel model = trainingStart(options, training);
                TrainingJobConfig.Builder b = options.trainingConfig(training).toBuilder();
                // untrained weights are a new start: an earlier run's checkpoint would bring its model back
                recovery.fresh |= training.untrained;
                System.out.println(recovery.apply(job, b, options.checkpointDir));
                TrainingJobConfig c = b.build();
                env = LocalFlink.withWebUi(webPort, Math.max(2, c.parallelism()), metricsPort);
                SequenceTrainingJob.build(env, c, model);
                client = env.executeAsync(SequenceTrainingJob.NAME);
                System.out.printf("job %s running: learns from %s, publishes %s to %s (every %d gradients of %d "
                        + "sequences or %d s, %s); Web UI http://127.0.0.1:%d (Ctrl-C stops it)%n", client.getJobID(),
                        c.kafka().inputTopic(), model, c.kafka().modelUpdatesTopic(), c.owner().gradientsPerUpdate(),
                        c.trainer().windowsPerGradient(), c.owner().publishEvery().toSeconds(), c.kafka().delivery(),
                        webPort);
            }
            default -> {
                System.err.println("unknown job '" + job + "'; jobs: sequence, frames, training");
                return 2;
            }
        }
        String metrics = LocalFlink.metricsUrl();
        if (metrics != null) {
            System.out.println("Prometheus metrics: " + metrics);
        }
        CountDownLatch done = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                client.cancel().get();
            } catch (Exception e) {
                // the cluster goes down with this JVM anyway
            }
            done.countDown();
        }));
        client.getJobExecutionResult().whenComplete((r, e) -> {
            if (e != null) {
                System.err.println("job failed: " + e);
            }
            done.countDown();
        });
        done.await();
        return 0;
    }

    /**
     * The model training starts from: the checkpoint (or the newest version in the topic), with
     * untrained weights under --untrained. Versions only go up: starting below one the topic already holds
     * for this id would publish versions every reader ignores, so that is refused.
     */
    static ServedSequenceModel trainingStart(JobOptions options, TrainingOptions training) throws Exception {
        // The key the training subtasks will trust (the signing key's public half, else --update-key): a version
        // it did not sign is no start (the owner would sign what it learns on those weights) and blocks none.
        byte[] trusted = options.trainingConfig(training).trainingKey();
        ServedSequenceModel m = options.initialModel(trusted);
        if (training.untrained) {
            m = FreshModel.of(m, m.modelId(), 0, training.seed);
        }
        if (options.model != null || training.untrained) {
            ServedSequenceModel newest = null;
            try {
                newest = ModelUpdateReader.latest(options.bootstrap, options.kafka.settings(), trusted,
                        PipelineTopics.MODEL_UPDATES, m.modelId(), ModelUpdates.DEFAULT_MAX_BYTES, Duration.ofSeconds(30));
            } catch (IllegalStateException none) {
                // no version of this id yet
            }
            if (newest != null && newest.version() >= m.version()) {
                throw new IllegalArgumentException("model-updates already holds " + newest + ": continue from it "
                        + "(leave out --model and --untrained) or train another --model-id");
            }
        }
        return m;
    }
}
