package io.streamnet.bench;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The performance report: every comparison interleaved on this machine, Markdown and plots. The
 * {@code streamnet} command finds it at run time (the launcher puts this module on the classpath for
 * {@code bench} only), so JMH and the plotting library never ship in the cli.
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Run the performance comparisons (interleaved, this machine) into DIR/report.md with PNG plots.")
public final class BenchCommand implements Callable<Integer> {
    @Option(names = "--quick", description = "Check the harness (a few minutes): figures are printed as not warmed up, "
            + "no report is written.")
    boolean quick;

    @Option(names = "--out", description = "Report directory (default: ${DEFAULT-VALUE}).", defaultValue = "bench-report")
    Path out;

    @Option(names = "--sections", split = ",", description = "Sections to run, in report order (default: all: "
            + "pipeline, peers, kernels, cnn, training, state). The peers (DL4J, DJL) need the module "
            + "streamnet-benchmarks-peers on the classpath: ./streamnet bench builds it.")
    List<String> sections;

    @Override
    public Integer call() throws Exception {
        List<String> names = sections == null || sections.isEmpty() ? BenchReport.sectionNames() : sections;
        StringBuilder cmd = new StringBuilder("./streamnet bench");
        if (quick) {
            cmd.append(" --quick");
        }
        cmd.append(" --out ").append(out).append(" --sections ").append(String.join(",", names));
        BenchReport.run(quick, out, names, cmd.toString(), System.out);
        return 0;
    }
}
