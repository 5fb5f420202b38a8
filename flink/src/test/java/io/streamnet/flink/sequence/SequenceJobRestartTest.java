package io.streamnet.flink.sequence;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamnet.flink.job.StateBackend;
import io.streamnet.schemas.Prediction;
import io.streamnet.serving.model.ServedSequenceModel;
import io.streamnet.serving.sequence.OutputMode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
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
        stopWithSavepointAndResumeAt(2, StateBackend.ROCKSDB);
    }

    private void stopWithSavepointAndResumeAt(int resumeParallelism) throws Exception {
        stopWithSavepointAndResumeAt(resumeParallelism, StateBackend.HASHMAP);
    }

    private void stopWithSavepointAndResumeAt(int resumeParallelism, StateBackend backend)
            throws Exception {
        ReplayedConversations replay = new ReplayedConversations(60, new Random(11));
        List<String[]> conversations = replay.conversations;
        List<Integer> labels = replay.labels;
        long ending = conversations.stream().filter(w -> w.length <= 3).count();
        ServedSequenceModel serving = replay.serving;

        try (PipelineFixture f = new PipelineFixture(4)) {
            SequenceJobConfig c = f.config("restart")
                    .parallelism(2)
                    .stateBackend(backend)
                    .batchSize(16)
                    .batchMillis(50)
                    .mode(OutputMode.MANY_TO_ONE).build();

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
            SequenceJob.build(second, c.toBuilder().parallelism(resumeParallelism).build(), serving);
            JobClient resumed = second.executeAsync(SequenceJob.NAME);
            f.produceWords(conversations, labels, 3, Integer.MAX_VALUE);
            List<Prediction> got = f.readPredictions(conversations.size(), Duration.ofSeconds(90));
            resumed.cancel().get();

            replay.assertSameAsFaultFreeRun(got);
        }
    }
}
