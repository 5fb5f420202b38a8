package io.streamnet.flink.sequence;

import static org.assertj.core.api.Assertions.assertThat;

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
 * One Kafka broker of three (every topic replicated 3 times, min ISR 2) killed with SIGKILL while
 * the exactly-once sequence job runs, and started again a few seconds later: the job rides it out
 * (its clients fail over to the new partition leaders; a failure restarts it from its checkpoint)
 * and the committed predictions equal a fault-free run's, none lost, none twice.
 */
class BrokerKillTest {
    static final int CONVERSATIONS = 300;

    @TempDir
    Path tmp;

    @Test
    void aBrokerKilledAndRestartedMidStreamLosesNothingAndDuplicatesNothing() throws Exception {
        long seed = System.nanoTime();
        Random rnd = new Random(seed);
        ReplayedConversations replay = new ReplayedConversations(CONVERSATIONS, rnd);
        int killAfter = 3 + rnd.nextInt(8);
        int victim = 1 + rnd.nextInt(3);
        System.out.printf("seed %d: %d conversations, broker %d killed after word position %d%n", seed, CONVERSATIONS,
                victim, killAfter);
        try (PipelineFixture f = PipelineFixture.cluster(3, 4)) {
            SequenceJobConfig c = f.config("broker-kill");
            c.parallelism = 4;
            c.batchSize = 32;
            c.batchMillis = 20;
            c.mode = OutputMode.MANY_TO_ONE;
            c.checkpointDir = tmp.resolve("checkpoints").toUri().toString();
            c.restartInitialBackoff = Duration.ofMillis(500);
            StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
            SequenceJob.build(env, c, replay.serving);
            JobClient job = env.executeAsync(SequenceJob.NAME);

            int produced = 0;
            long t0 = System.nanoTime();
            String kill = null;
            for (int position = 0; position < ReplayedConversations.POSITIONS; position++) {
                produced += replay.produce(f, position);
                Thread.sleep(150 + rnd.nextInt(250));
                if (position == killAfter) {
                    f.kafka.killNode(victim);
                    kill = String.format("%.1f s (after %d words)", (System.nanoTime() - t0) / 1e9, produced);
                } else if (position == killAfter + 3) {
                    long down = System.nanoTime();
                    f.kafka.restartNode(victim);
                    System.out.printf("broker %d back %.1f s after the restart began%n", victim,
                            (System.nanoTime() - down) / 1e9);
                }
            }
            long beforeRead = System.nanoTime();
            List<Prediction> got = f.readPredictions(CONVERSATIONS, Duration.ofSeconds(240));
            System.out.printf("%d words produced, broker killed at %s; all %d committed predictions read %.1f s after "
                    + "the last word%n", produced, kill, got.size(), (System.nanoTime() - beforeRead) / 1e9);
            assertThat(kill).isNotNull();
            job.cancel().get();
            replay.assertSameAsFaultFreeRun(got);
        }
    }
}
