package io.streamnet.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamnet.schemas.Prediction;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code streamnet cluster} as a user runs it: in a JVM of its own it starts 3 Kafka brokers and a
 * Flink session cluster and prints the submit line; the job sent with that line serves
 * predictions; Ctrl-C (SIGTERM) takes every process it started down with it.
 */
class ClusterCommandTest {
    @TempDir
    Path tmp;

    @Test
    void theClusterItPrintsTakesTheSubmittedJobAndStopsWithAllItsProcesses() throws Exception {
        JobFixtures.TinyModel model = JobFixtures.TinyModel.saveIn(tmp);

        var cluster = LocalJobCrashRecoveryTest.ChildJvm.start(tmp.resolve("cluster.log"),
                List.of("cluster", "--home", tmp.resolve("home").toString(), "--taskmanagers", "1", "--slots", "2"));
        try {
            String submit = cluster.awaitLine(l -> l.startsWith("submit: "), "submit:", Duration.ofMinutes(3));
            Matcher jm = Pattern.compile("--jobmanager (\\S+)").matcher(submit);
            Matcher bootstrap = Pattern.compile("--bootstrap (\\S+)").matcher(submit);
            Matcher dir = Pattern.compile("--checkpoint-dir (\\S+)").matcher(submit);
            assertThat(jm.find() && bootstrap.find() && dir.find()).as(submit).isTrue();
            assertThat(bootstrap.group(1).split(",")).as("three brokers").hasSize(3);
            List<ProcessHandle> started = cluster.descendants();
            assertThat(started).as("3 brokers, a JobManager and a TaskManager").hasSizeGreaterThanOrEqualTo(5);

            assertThat(CliRun.ok("submit", "sequence", "--jobmanager", jm.group(1), "--bootstrap", bootstrap.group(1),
                    "--checkpoint-dir", dir.group(1), "--model", model.file().toString(), "--parallelism", "2", "--format",
                    "json", "--output-format", "json", "--checkpoint-ms", "500")).contains("submitted job");
            Properties client = JobFixtures.client(bootstrap.group(1));
            JobFixtures.sendWords(client, "u1", "great", "phone", "works");
            List<Prediction> got = JobFixtures.readPredictions(client, 1, Duration.ofSeconds(120));
            assertThat(got).hasSize(1);
            assertThat(got.get(0).getKey()).isEqualTo("u1");

            cluster.stop();
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (started.stream().anyMatch(ProcessHandle::isAlive) && System.nanoTime() < deadline) {
                Thread.sleep(100);
            }
            assertThat(started).as("no process outlives the cluster command").noneMatch(ProcessHandle::isAlive);
        } finally {
            cluster.descendants().forEach(ProcessHandle::destroyForcibly);
            cluster.kill();
        }
    }
}
