package io.streamnet.flink.sequence;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamnet.engine.checkpoint.Checkpoints;
import io.streamnet.engine.cpu.CpuBackend;
import io.streamnet.flink.cluster.StandaloneCluster;
import io.streamnet.rnn.cell.CellType;
import io.streamnet.rnn.model.ModelConfig;
import io.streamnet.rnn.model.OutputType;
import io.streamnet.rnn.model.RnnCheckpoints;
import io.streamnet.rnn.model.SequenceModel;
import io.streamnet.rnn.state.RnnState;
import io.streamnet.rnn.text.Vocabulary;
import io.streamnet.schemas.Prediction;
import io.streamnet.serving.model.ServedSequenceModel;
import io.streamnet.serving.sequence.OutputMode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
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
    static final String[] WORDS = {"great", "phone", "works", "well", "bad", "battery", "broke", "fast", "screen",
        "love", "hate", "sound", "the", "a", "it", "is"};

    @TempDir
    Path tmp;

    @Test
    void killedTaskManagersLoseNothingAndDuplicateNothing() throws Exception {
        long seed = System.nanoTime();
        Random rnd = new Random(seed);
        Vocabulary vocab = Vocabulary.words(List.of(String.join(" ", WORDS)), 100, 1);
        SequenceModel model = new SequenceModel(CpuBackend.instance(),
                ModelConfig.tokens(CellType.GRU, vocab.size(), 8, 16, 1, 0f, 2, OutputType.MANY_TO_ONE), 9);
        ServedSequenceModel serving = ServedSequenceModel.load(CpuBackend.instance(),
                Checkpoints.toBytes(RnnCheckpoints.toCheckpoint(model, vocab, Map.of())), "kill-model", 1);
        List<String[]> conversations = new ArrayList<>();
        List<Integer> labels = new ArrayList<>();
        for (int c = 0; c < CONVERSATIONS; c++) {
            String[] w = new String[2 + rnd.nextInt(19)];
            for (int i = 0; i < w.length; i++) {
                w[i] = WORDS[rnd.nextInt(WORDS.length)];
            }
            conversations.add(w);
            labels.add(rnd.nextInt(2));
        }
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
            SequenceJobConfig c = f.config("kill");
            c.parallelism = 4;
            c.batchSize = 32;
            c.batchMillis = 20;
            c.mode = OutputMode.MANY_TO_ONE;
            c.checkpointDir = tmp.resolve("checkpoints").toUri().toString(); // reached by every process
            c.restartInitialBackoff = Duration.ofMillis(500);
            StreamExecutionEnvironment env = StreamExecutionEnvironment.createRemoteEnvironment("127.0.0.1",
                    cluster.restPort());
            SequenceJob.build(env, c, serving);
            JobClient job = env.executeAsync(SequenceJob.NAME);

            int produced = 0;
            long t0 = System.nanoTime();
            List<String> kills = new ArrayList<>();
            for (int position = 0; position < 20; position++) {
                produced += f.produceWords(conversations, labels, position, position + 1);
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

            Map<String, Prediction> byKey = new HashMap<>();
            for (Prediction p : got) {
                assertThat(byKey.put(p.getKey(), p)).as("a second prediction for %s", p.getKey()).isNull();
            }
            assertThat(byKey).hasSize(CONVERSATIONS);
            for (int i = 0; i < CONVERSATIONS; i++) {
                RnnState s = model.initialState();
                float[] want = null;
                for (String w : conversations.get(i)) {
                    SequenceModel.StepResult r = model.step(s, vocab.id(w));
                    s = r.state();
                    want = r.output();
                }
                Prediction p = byKey.get("conv-" + i);
                assertThat(p.getProbabilities()).as("conv-%d", i).containsExactly(want[0], want[1]);
                assertThat(p.getTrueLabel()).isEqualTo(labels.get(i));
            }
        }
    }
}
