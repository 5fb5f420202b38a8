package io.streamnet.flink.sequence;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamnet.engine.checkpoint.Checkpoints;
import io.streamnet.engine.cpu.CpuBackend;
import io.streamnet.flink.job.KafkaJobConfig;
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
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Stopped with a savepoint halfway through its conversations and resumed from it, the job gives
 * exactly the predictions of an uninterrupted run: hidden states, buffered bundles, source offsets
 * and the serving model all come back, and nothing is emitted twice.
 */
class SequenceJobRestartTest {
    private static final String[] WORDS = {"great", "phone", "works", "well", "bad", "battery", "broke", "fast",
        "screen", "love", "hate", "sound"};
    private final Vocabulary vocab = Vocabulary.words(List.of(String.join(" ", WORDS)), 50, 1);
    private final SequenceModel model = new SequenceModel(CpuBackend.instance(),
            ModelConfig.tokens(CellType.LSTM, vocab.size(), 8, 16, 1, 0f, 2, OutputType.MANY_TO_ONE), 5);

    @TempDir
    Path tmp;

    @Test
    void aJobResumedFromASavepointGivesTheUninterruptedPredictions() throws Exception {
        stopWithSavepointAndResumeAt(2);
    }

    /** Rescaled: per-key state is redistributed over more subtasks by key group, and continues. */
    @Test
    void aJobRescaledFromTwoToFourSubtasksThroughASavepointGivesTheUninterruptedPredictions() throws Exception {
        stopWithSavepointAndResumeAt(4);
    }

    /** With keyed state in RocksDB (what large key counts use) the same state comes back. */
    @Test
    void aJobWithItsStateInRocksDbResumedFromASavepointGivesTheUninterruptedPredictions() throws Exception {
        stopWithSavepointAndResumeAt(2, KafkaJobConfig.StateBackend.ROCKSDB);
    }

    private void stopWithSavepointAndResumeAt(int resumeParallelism) throws Exception {
        stopWithSavepointAndResumeAt(resumeParallelism, KafkaJobConfig.StateBackend.HASHMAP);
    }

    private void stopWithSavepointAndResumeAt(int resumeParallelism, KafkaJobConfig.StateBackend backend)
            throws Exception {
        Random rnd = new Random(11);
        List<String[]> conversations = new ArrayList<>();
        List<Integer> labels = new ArrayList<>();
        for (int c = 0; c < 60; c++) {
            String[] w = new String[2 + rnd.nextInt(8)];
            for (int i = 0; i < w.length; i++) {
                w[i] = WORDS[rnd.nextInt(WORDS.length)];
            }
            conversations.add(w);
            labels.add(rnd.nextInt(2));
        }
        long ending = conversations.stream().filter(w -> w.length <= 3).count();
        byte[] bytes = Checkpoints.toBytes(RnnCheckpoints.toCheckpoint(model, vocab, Map.of()));
        ServedSequenceModel serving = ServedSequenceModel.load(CpuBackend.instance(), bytes, "m", 1);

        try (PipelineFixture f = new PipelineFixture(4)) {
            SequenceJobConfig c = f.config("restart");
            c.parallelism = 2;
            c.stateBackend = backend;
            c.batchSize = 16;
            c.batchMillis = 50;
            c.mode = OutputMode.MANY_TO_ONE;

            StreamExecutionEnvironment first = StreamExecutionEnvironment.getExecutionEnvironment();
            SequenceJob.build(first, c, serving);
            JobClient job = first.executeAsync(SequenceJob.NAME);
            f.produceWords(conversations, labels, 0, 3);
            // Conversations of up to three words end in the first half: once all are committed, the job is mid-stream.
            assertThat(f.readPredictions((int) ending, Duration.ofSeconds(90))).hasSize((int) ending);
            String savepoint = job.stopWithSavepoint(false, tmp.resolve("savepoints").toUri().toString(),
                    SavepointFormatType.CANONICAL).get();

            Configuration resume = new Configuration();
            resume.set(StateRecoveryOptions.SAVEPOINT_PATH, savepoint);
            StreamExecutionEnvironment second = StreamExecutionEnvironment.getExecutionEnvironment(resume);
            c.parallelism = resumeParallelism;
            SequenceJob.build(second, c, serving);
            JobClient resumed = second.executeAsync(SequenceJob.NAME);
            f.produceWords(conversations, labels, 3, Integer.MAX_VALUE);
            List<Prediction> got = f.readPredictions(conversations.size(), Duration.ofSeconds(90));
            resumed.cancel().get();

            Map<String, Prediction> byKey = new HashMap<>();
            for (Prediction p : got) {
                assertThat(byKey.put(p.getKey(), p)).as("second prediction for %s", p.getKey()).isNull();
            }
            assertThat(byKey).hasSize(conversations.size());
            for (int i = 0; i < conversations.size(); i++) {
                RnnState s = model.initialState();
                float[] want = null;
                for (String w : conversations.get(i)) {
                    SequenceModel.StepResult r = model.step(s, vocab.id(w));
                    s = r.state();
                    want = r.output();
                }
                assertThat(byKey.get("conv-" + i).getProbabilities()).as("conv-%d", i).containsExactly(want[0], want[1]);
            }
        }
    }
}
