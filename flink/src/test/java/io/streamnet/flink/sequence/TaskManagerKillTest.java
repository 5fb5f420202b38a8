package io.streamnet.flink.sequence;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamnet.local.flink.StandaloneCluster;
import io.streamnet.schemas.Prediction;
import io.streamnet.serving.sequence.OutputMode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The sequence job at parallelism 4 on a standalone cluster of separate JVMs (a JobManager and two
 * TaskManagers of 2 slots), exactly-once, while conversations stream in: a TaskManager is killed
 * with SIGKILL at random points and a new one started each time. The predictions read
 * read_committed equal a fault-free run's (rnn-core's, word by word): one per conversation, none
 * twice, none missing, identical values. CI runs one kill over 300 conversations;
 * {@code -Dstreamnet.soak=true} runs three over 1,200.
 */
class TaskManagerKillTest {
    static final boolean SOAK = Boolean.getBoolean("streamnet.soak");
    static final int CONVERSATIONS = SOAK ? 1200 : 300;
    static final int KILLS = SOAK ? 3 : 1;

    @TempDir
    Path tmp;

    @Test
    void killedTaskManagersLoseNothingAndDuplicateNothing() throws Exception {
        long seed = System.nanoTime();
        Random rnd = new Random(seed);
        ReplayedConversations replay = new ReplayedConversations(CONVERSATIONS, rnd);
        // The kills fall after random word positions of the replay (20 positions in all), a random time later.
        List<Integer> killAfter = new ArrayList<>();
        while (killAfter.size() < KILLS) {
            int at = 2 + rnd.nextInt(15);
            if (!killAfter.contains(at)) {
                killAfter.add(at);
            }
        }
        killAfter.sort(null);
        System.out.printf("seed %d: %d conversations, TaskManager kills after word positions %s%n", seed,
                CONVERSATIONS, killAfter);

        try (PipelineFixture f = new PipelineFixture(4);
             StandaloneCluster cluster = StandaloneCluster.start(StandaloneCluster.Settings.local(tmp.resolve("flink"), 2),
                     2, Duration.ofSeconds(120))) {
            SequenceJobConfig c = f.config("kill")
                    .parallelism(4)
                    .batchSize(32)
                    .batchMillis(20)
                    .mode(OutputMode.MANY_TO_ONE)
                    .checkpointDir(tmp.resolve("checkpoints").toUri().toString()) // reached by every process
                    .restartInitialBackoff(Duration.ofMillis(500)).build();
            StreamExecutionEnvironment env = StreamExecutionEnvironment.createRemoteEnvironment("127.0.0.1",
                    cluster.restPort());
            SequenceJob.build(env, c, replay.serving);
            JobClient job = env.executeAsync(SequenceJob.NAME);

            int produced = 0;
            long t0 = System.nanoTime();
            List<String> kills = new ArrayList<>();
            for (int position = 0; position < ReplayedConversations.POSITIONS; position++) {
                produced += replay.produce(f, position);
                Thread.sleep(150 + rnd.nextInt(250));
                if (killAfter.contains(position)) {
                    // a kill lands on running tasks: both TaskManagers hold some once all 4 run
                    cluster.awaitRunning(job.getJobID().toString(), Duration.ofSeconds(120));
                    int victim = rnd.nextInt(cluster.taskManagersAlive());
                    Thread.sleep(rnd.nextInt(1000));
                    int failovers = cluster.failovers(job.getJobID().toString());
                    cluster.killTaskManager(victim);
                    kills.add(String.format("%.1f s (after %d words)", (System.nanoTime() - t0) / 1e9, produced));
                    cluster.startTaskManager();
                    // the next kill waits until this one was noticed: two kills inside one detection would be one failover
                    cluster.awaitFailovers(job.getJobID().toString(), failovers + 1, Duration.ofSeconds(60));
                }
            }
            long beforeRead = System.nanoTime();
            List<Prediction> got = f.readPredictions(CONVERSATIONS, Duration.ofSeconds(240));
            System.out.printf("%d words produced; kills at %s; all %d committed predictions read %.1f s after the "
                    + "last word%n", produced, kills, got.size(), (System.nanoTime() - beforeRead) / 1e9);
            int failovers = cluster.failovers(job.getJobID().toString());
            System.out.println("the job failed over " + failovers + " times");
            assertThat(failovers).as("every kill made the job fail over").isGreaterThanOrEqualTo(KILLS);
            job.cancel().get();

            replay.assertSameAsFaultFreeRun(got);
        }
    }
}
