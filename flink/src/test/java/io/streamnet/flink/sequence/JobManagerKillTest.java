package io.streamnet.flink.sequence;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamnet.local.flink.StandaloneCluster;
import io.streamnet.flink.job.RetainedCheckpoints;
import io.streamnet.flink.job.StateBackend;
import io.streamnet.schemas.Prediction;
import io.streamnet.serving.sequence.OutputMode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The JobManager of a standalone cluster killed with SIGKILL mid-run, taking the job with it (a
 * standalone cluster without ZooKeeper or Kubernetes has no high availability): a new JobManager
 * starts on the same ports, the surviving TaskManagers register with it, and the job is submitted
 * again from its latest retained checkpoint, as {@code streamnet submit} does. Keyed state lives in
 * RocksDB with incremental checkpoints, so the restore reads SST files other processes wrote. The committed
 * predictions equal a fault-free run's: one per conversation, none twice, identical values. CI
 * kills it once over 300 conversations; {@code -Dstreamnet.soak=true} twice over 600.
 */
class JobManagerKillTest {
    static final boolean SOAK = Boolean.getBoolean("streamnet.soak");
    static final int CONVERSATIONS = SOAK ? 600 : 300;
    static final int KILLS = SOAK ? 2 : 1;

    @TempDir
    Path tmp;

    @Test
    void aJobResubmittedFromItsRetainedCheckpointAfterAJobManagerKillLosesNothing() throws Exception {
        long seed = System.nanoTime();
        Random rnd = new Random(seed);
        ReplayedConversations replay = new ReplayedConversations(CONVERSATIONS, rnd);
        List<Integer> killAfter = new java.util.ArrayList<>();
        while (killAfter.size() < KILLS) {
            int at = 4 + rnd.nextInt(12);
            if (!killAfter.contains(at)) {
                killAfter.add(at);
            }
        }
        killAfter.sort(null);
        System.out.printf("seed %d: %d conversations, JobManager kills after word positions %s%n", seed, CONVERSATIONS,
                killAfter);
        Path checkpoints = tmp.resolve("checkpoints");
        try (PipelineFixture f = new PipelineFixture(4);
             StandaloneCluster cluster = StandaloneCluster.start(StandaloneCluster.Settings.local(tmp.resolve("flink"), 2),
                     2, Duration.ofSeconds(120))) {
            SequenceJobConfig c = f.config("jm-kill")
                    .parallelism(4)
                    .batchSize(32)
                    .batchMillis(20)
                    .mode(OutputMode.MANY_TO_ONE)
                    .checkpointDir(checkpoints.toUri().toString())
                    .retainCheckpoints(true)
                    // keyed state in RocksDB: the restore reads an incremental checkpoint written by other processes
                    .stateBackend(StateBackend.ROCKSDB)
                    .incrementalCheckpoints(true).build();
            JobClient first = submit(cluster, c, replay);

            int produced = 0;
            long t0 = System.nanoTime();
            List<String> kills = new java.util.ArrayList<>();
            JobClient job = first;
            for (int position = 0; position < ReplayedConversations.POSITIONS; position++) {
                produced += replay.produce(f, position);
                Thread.sleep(150 + rnd.nextInt(250));
                if (killAfter.contains(position)) {
                    cluster.awaitRunning(job.getJobID().toString(), Duration.ofSeconds(120));
                    long before = RetainedCheckpoints.latest(checkpoints).map(RetainedCheckpoints.Retained::id).orElse(0L);
                    awaitCheckpointAfter(checkpoints, before);
                    Thread.sleep(rnd.nextInt(1000));
                    long killed = System.nanoTime();
                    cluster.killJobManager();
                    String at = String.format("%.1f s (after %d words)", (killed - t0) / 1e9, produced);
                    cluster.startJobManager();
                    cluster.awaitTaskManagers(2, Duration.ofSeconds(120));
                    RetainedCheckpoints.Retained latest = RetainedCheckpoints.latest(checkpoints).orElseThrow();
                    System.out.println("resubmitting from " + latest.directory());
                    job = submit(cluster, c.toBuilder().restoreFrom(latest.directory().toUri().toString(), true).build(),
                            replay);
                    cluster.awaitRunning(job.getJobID().toString(), Duration.ofSeconds(120));
                    kills.add(String.format("%s, running again %.1f s later", at, (System.nanoTime() - killed) / 1e9));
                }
            }
            long beforeRead = System.nanoTime();
            List<Prediction> got = f.readPredictions(CONVERSATIONS, Duration.ofSeconds(240));
            System.out.printf("%d words produced; JobManager killed at %s; all %d committed predictions read %.1f s "
                    + "after the last word%n", produced, kills, got.size(), (System.nanoTime() - beforeRead) / 1e9);
            assertThat(job.getJobID()).as("the job was resubmitted").isNotEqualTo(first.getJobID());
            job.cancel().get();
            replay.assertSameAsFaultFreeRun(got);
        }
    }

    private static JobClient submit(StandaloneCluster cluster, SequenceJobConfig c, ReplayedConversations replay)
            throws Exception {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.createRemoteEnvironment("127.0.0.1",
                cluster.restPort());
        SequenceJob.build(env, c, replay.serving);
        return env.executeAsync(SequenceJob.NAME);
    }

    /** Waits until a checkpoint newer than {@code id} completed: the kill then loses progress a restore must make up. */
    private static void awaitCheckpointAfter(Path dir, long id) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (RetainedCheckpoints.latest(dir).map(RetainedCheckpoints.Retained::id).orElse(0L) <= id) {
            assertThat(System.nanoTime()).as("a checkpoint completed in time").isLessThan(deadline);
            Thread.sleep(50);
        }
    }
}
