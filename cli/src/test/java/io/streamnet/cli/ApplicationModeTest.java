package io.streamnet.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamnet.cli.jobs.ApplicationJob;
import io.streamnet.local.flink.StandaloneCluster;
import io.streamnet.contract.PipelineTopics;
import io.streamnet.kafka.admin.TopicAdmin;
import io.streamnet.local.kafka.EmbeddedKafka;
import io.streamnet.schemas.Prediction;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.apache.kafka.clients.admin.Admin;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The job image's entry class in Flink's application mode, as the Kubernetes operator and
 * compose's {@code standalone-job} run it: a JobManager process ({@code
 * StandaloneApplicationClusterEntryPoint}) calls {@link ApplicationJob#main} with the manifest's
 * arguments and a TaskManager process runs the job; its predictions are rnn-core's.
 */
class ApplicationModeTest {
    @TempDir
    Path tmp;

    @Test
    void theApplicationJobRunsInFlinksApplicationModeAndServesTheModelFile() throws Exception {
        JobFixtures.TinyModel model = JobFixtures.TinyModel.saveIn(tmp);
        try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
            try (Admin admin = Admin.create(kafka.clientProperties())) {
                new TopicAdmin(admin).ensure(PipelineTopics.all(2, (short) 1));
            }
            List<String> args = List.of("sequence", "--model", model.file().toString(), "--bootstrap",
                    kafka.bootstrapServers(), "--format", "json", "--output-format", "json", "--parallelism", "2",
                    "--checkpoint-ms", "500", "--checkpoint-dir", tmp.resolve("checkpoints").toUri().toString());
            try (StandaloneCluster cluster = StandaloneCluster.startApplication(
                    StandaloneCluster.Settings.local(tmp.resolve("flink"), 2), 1, Duration.ofSeconds(120),
                    ApplicationJob.class.getName(), args)) {
                JobFixtures.sendWords(kafka.clientProperties(), "u1", "great", "phone", "broke");
                List<Prediction> got = JobFixtures.readPredictions(kafka.clientProperties(), 1, Duration.ofSeconds(120));
                assertThat(got).hasSize(1);
                float[] want = model.expected("great", "phone", "broke");
                assertThat(got.get(0).getKey()).isEqualTo("u1");
                assertThat(got.get(0).getModelId()).isEqualTo(JobFixtures.MODEL_ID);
                assertThat(got.get(0).getProbabilities()).containsExactly(want[0], want[1]);
            }
        }
    }
}
