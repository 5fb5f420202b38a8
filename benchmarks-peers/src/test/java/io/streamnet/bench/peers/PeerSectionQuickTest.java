package io.streamnet.bench.peers;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamnet.bench.BenchReport;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The peers' section in quick mode (built only with -P peers): the report finds it on the
 * classpath, and DL4J and DJL's PyTorch each load and score the backlog in the job shape (a real
 * broker, a local Flink cluster); nothing is asserted on timings.
 */
class PeerSectionQuickTest {
    @Test
    void theReportFindsThePeersAndEachScoresTheBacklogInTheJob(@TempDir Path dir) throws Exception {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        try (PrintStream log = new PrintStream(buf, true, StandardCharsets.UTF_8)) {
            BenchReport.run(true, dir.resolve("report"), List.of("peers"), "test", log);
        }
        String text = buf.toString(StandardCharsets.UTF_8);
        assertThat(text).doesNotContain("not run");
        assertThat(text).contains("pass 1/1 " + PeerSection.OURS, "pass 1/1 " + PeerSection.DL4J,
                "pass 1/1 " + PeerSection.DJL, "(not warmed up)");
    }
}
