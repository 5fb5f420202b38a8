package io.streamnet.flink.job;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RetainedCheckpointsTest {
    @TempDir
    Path dir;

    Path checkpoint(String job, int id, long completedMs, boolean complete) throws Exception {
        Path chk = Files.createDirectories(dir.resolve(job).resolve("chk-" + id));
        if (complete) {
            Path metadata = Files.writeString(chk.resolve(RetainedCheckpoints.METADATA), "m");
            Files.setLastModifiedTime(metadata, FileTime.fromMillis(completedMs));
        } else {
            Files.writeString(chk.resolve("_metadata.inprogress.1234"), "half");
        }
        return chk;
    }

    @Test
    void theNewestCompletedCheckpointOfAnyJobIsTheOneToResumeFrom() throws Exception {
        checkpoint("job-a", 40, 1_000_000, true);
        Path newest = checkpoint("job-b", 3, 2_000_000, true);
        checkpoint("job-b", 4, 3_000_000, false); // the process died while writing it
        Files.createDirectories(dir.resolve("job-b").resolve("shared"));

        var latest = RetainedCheckpoints.latest(dir).orElseThrow();
        assertThat(latest.directory()).isEqualTo(newest);
        assertThat(latest.id()).isEqualTo(3);
    }

    @Test
    void aDirectoryWithNoCompletedCheckpointOrNoneAtAllHasNothingToResumeFrom() throws Exception {
        assertThat(RetainedCheckpoints.latest(dir.resolve("absent"))).isEmpty();
        checkpoint("job-a", 1, 0, false);
        assertThat(RetainedCheckpoints.latest(dir)).isEmpty();
    }
}
