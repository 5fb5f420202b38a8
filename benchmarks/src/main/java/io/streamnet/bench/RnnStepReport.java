package io.streamnet.bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;

/**
 * {@code java -jar benchmarks.jar rnn [--quick]}: {@link RnnStepBenchmark} for RNN/LSTM/GRU at
 * B in {1, 64, 256, 1024} and H in {128, 256, 512}, beside PyTorch CPU (Debian python3-torch, one
 * thread) for the same shapes when it is installed: steps/s, GFLOP/s and the ratio.
 */
final class RnnStepReport {
    /** Debian's torch uses the reference BLAS unless an OpenBLAS build is found first. */
    static final String OPENBLAS_OPENMP = "/usr/lib/x86_64-linux-gnu/openblas-openmp";

    private RnnStepReport() {
    }

    static void run(boolean quick) throws RunnerException {
        Map<String, Double> ours = BenchMain.medians(new Runner(BenchMain.options(quick, "--add-modules=jdk.incubator.vector")
                .include(RnnStepBenchmark.class.getName() + ".step").build()).run(), "cell", "batch", "hidden");
        Map<String, Double> torch = new LinkedHashMap<>();
        List<String> shapes = new ArrayList<>(ours.keySet());
        // Debian's python3-torch lives in the system interpreter; OpenBLAS-openmp at one thread (see PLATFORM.md).
        Map<String, String> env = new LinkedHashMap<>(Map.of("OMP_NUM_THREADS", "1", "OPENBLAS_NUM_THREADS", "1"));
        if (java.nio.file.Files.isDirectory(java.nio.file.Path.of(OPENBLAS_OPENMP))) {
            env.put("LD_LIBRARY_PATH", OPENBLAS_OPENMP);
        }
        for (String line : PeerProcess.runPython("/usr/bin/python3", "torch_rnn_step.py", shapes, env)) {
            String[] f = line.split("\t");
            if (f.length == 2) {
                torch.put(f[0], Double.parseDouble(f[1]));
            }
        }
        System.out.println();
        System.out.println("one batched recurrent step, input 64, one thread, median (ratio = torch time / ours)");
        System.out.printf("%-6s %6s %5s %12s %12s %9s %12s %9s %7s%n", "cell", "B", "H", "us/step", "steps/s", "GFLOP/s",
                "torch us", "torch GF", "ratio");
        for (String k : shapes) {
            String[] p = k.split(",");
            double us = ours.get(k);
            double f = RnnStepBenchmark.flops(p[0], Integer.parseInt(p[1]), Integer.parseInt(p[2]));
            Double t = torch.get(k);
            System.out.printf("%-6s %6s %5s %12.1f %12.0f %9.1f %12s %9s %7s%n", p[0], p[1], p[2], us, 1e6 / us,
                    f / (us * 1e3), t == null ? "-" : String.format("%.1f", t),
                    t == null ? "-" : String.format("%.1f", f / (t * 1e3)), t == null ? "-" : String.format("%.2f", t / us));
        }
        if (torch.isEmpty()) {
            System.out.println("(PyTorch not available: apt-get install python3-torch for the comparison columns)");
        }
    }
}
