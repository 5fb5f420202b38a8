package io.streamnet.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The report's harness end to end in quick mode: every section runs (a real broker and Flink for
 * the pipeline and training, a standalone cluster for state, JMH forks and the Python peers where
 * installed, the plots), nothing is asserted on timings, the figures are marked as not warmed up,
 * and no report is written.
 */
class BenchReportQuickTest {
    @Test
    void quickModeRunsEverySectionMarksItsFiguresAndWritesNoReport(@TempDir Path dir) throws Exception {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        Path out = dir.resolve("report");
        Path file;
        try (PrintStream log = new PrintStream(buf, true, StandardCharsets.UTF_8)) {
            file = BenchReport.run(true, out, BenchReport.sectionNames(), "test", log);
        }
        String text = buf.toString(StandardCharsets.UTF_8);
        assertThat(file).isNull();
        assertThat(out).doesNotExist();
        assertThat(text).contains("== section pipeline", "== section peers", "== section kernels", "== section cnn",
                "== section training", "== section state", "(not warmed up)");
        assertThat(text).contains("identity", "batch 256", "batch 1", "gemm 256,256,256", "lenet5", "resnet-mini",
                "inference job", "training job", "Held-out accuracy", "rocksdb");
        // the default build leaves the peers' module out: the section says so instead of leaving a gap
        assertThat(text).contains("Peers (DL4J, DJL/PyTorch): not run, the module streamnet-benchmarks-peers is not on "
                + "the classpath");
    }

    @Test
    void theReportsPiecesWriteEscapedTablesPngPlotsAndTheMachineHead(@TempDir Path dir) throws Exception {
        io.streamnet.bench.report.MarkdownReport md = new io.streamnet.bench.report.MarkdownReport();
        md.heading(1, "t").table(List.of("a", "b"), List.of(List.of("1|x", "2")));
        io.streamnet.bench.report.Plots.lines(dir.resolve("p.png"), "t", "x", "y",
                java.util.Map.of("s", new double[][] {{1, 2}, {4, 3}}), true);
        io.streamnet.bench.report.Plots.cdf(dir.resolve("c.png"), "t", java.util.Map.of("s", new long[] {3, 1, 2}));
        assertThat(md.text()).contains("| a | b |", "|---|---|", "1\\|x");
        assertThat(Files.size(dir.resolve("p.png"))).isPositive();
        assertThat(Files.size(dir.resolve("c.png"))).isPositive();
        assertThat(io.streamnet.bench.report.MachineInfo.rows("cmd")).extracting(r -> r[0])
                .contains("date (UTC)", "command", "cpu", "cpu flags", "jvm", "flink", "kafka", "streamnet");
    }
}
