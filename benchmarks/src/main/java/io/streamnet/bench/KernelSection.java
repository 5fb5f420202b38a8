package io.streamnet.bench;

import io.streamnet.bench.report.Interleaved;
import io.streamnet.bench.report.Plots;
import io.streamnet.bench.report.Section;
import io.streamnet.bench.report.Stats;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.openjdk.jmh.runner.Runner;

/**
 * Section 3: the kernels against their peers, one thread each, our JMH pass and the peer's pass
 * interleaved: square sgemm against numpy/OpenBLAS, and one batched RNN/LSTM/GRU step (input 64)
 * against PyTorch CPU.
 */
final class KernelSection implements Section {
    private static final Map<String, String> ONE_THREAD = Map.of("OPENBLAS_NUM_THREADS", "1", "OMP_NUM_THREADS", "1",
            "MKL_NUM_THREADS", "1");

    @Override
    public String name() {
        return "kernels";
    }

    @Override
    public void run(Context ctx) throws Exception {
        int passes = ctx.quick() ? 1 : 5;
        List<String> gemmShapes = ctx.quick() ? List.of("64,64,64", "256,256,256") : BenchMain.SQUARE;
        List<String> rnnShapes = ctx.quick() ? List.of("gru,1,128") : rnnShapes();
        Interleaved.Samples s = Interleaved.runGroups(List.of(
                new Interleaved.Group("ours gemm", i -> gemmJmh(gemmShapes, ctx.quick())),
                new Interleaved.Group("numpy gemm", i -> python("numpy_gemm.py", gemmShapes, 3)),
                new Interleaved.Group("ours step", i -> rnnJmh(rnnShapes, ctx.quick())),
                new Interleaved.Group("torch step", i -> python("torch_rnn_step.py", rnnShapes, 2))), passes, ctx.log());

        List<List<String>> gemmRows = new ArrayList<>();
        List<double[]> oursPoints = new ArrayList<>();
        List<double[]> numpyPoints = new ArrayList<>();
        for (String shape : gemmShapes) {
            double flops = BenchMain.flops(shape);
            List<Double> ours = gflops(s.of("ours gemm " + shape), flops);
            String peer = "-";
            String ratio = "-";
            int n = Integer.parseInt(shape.split(",")[0]);
            oursPoints.add(new double[] {n, Stats.median(ours)});
            if (s.has("numpy gemm " + shape)) {
                List<Double> np = gflops(s.of("numpy gemm " + shape), flops);
                numpyPoints.add(new double[] {n, Stats.median(np)});
                peer = String.format(Locale.ROOT, "%.1f", Stats.median(np));
                List<Double> r = s.ratios("numpy gemm " + shape, "ours gemm " + shape); // time theirs / ours
                ratio = String.format(Locale.ROOT, "%.2f (%s)", Stats.median(r), Stats.spread(r, "%.2f"));
            }
            gemmRows.add(List.of(shape, ctx.label(String.format(Locale.ROOT, "%.1f", Stats.median(ours))),
                    Stats.spread(ours, "%.1f"), peer, ratio));
        }
        Map<String, double[][]> series = new LinkedHashMap<>();
        series.put("streamnet (" + BenchMain.defaultKernel() + ")", oursPoints.toArray(new double[0][]));
        if (!numpyPoints.isEmpty()) {
            series.put("numpy/OpenBLAS", numpyPoints.toArray(new double[0][]));
        }
        Plots.lines(ctx.plotDir().resolve("kernels-gemm.png"), "sgemm, one thread (medians)", "n (n x n x n)",
                "GFLOP/s", series, true);

        List<List<String>> stepRows = new ArrayList<>();
        for (String shape : rnnShapes) {
            List<Double> ours = s.of("ours step " + shape);
            String[] p = shape.split(",");
            String peer = "-";
            String ratio = "-";
            if (s.has("torch step " + shape)) {
                peer = String.format(Locale.ROOT, "%.1f", s.median("torch step " + shape));
                List<Double> r = s.ratios("torch step " + shape, "ours step " + shape);
                ratio = String.format(Locale.ROOT, "%.2f (%s)", Stats.median(r), Stats.spread(r, "%.2f"));
            }
            stepRows.add(List.of(p[0], p[1], p[2], ctx.label(String.format(Locale.ROOT, "%.1f", Stats.median(ours))),
                    Stats.spread(ours, "%.1f"), peer, ratio));
        }
        gemmRows.forEach(r -> ctx.log().accept("gemm " + String.join("  ", r)));
        stepRows.forEach(r -> ctx.log().accept("step " + String.join("  ", r)));
        String peers = "numpy " + PeerVersions.numpy() + " and PyTorch " + PeerVersions.torch()
                + " from /usr/bin/python3 (one thread; OpenBLAS-openmp where installed).";
        ctx.log().accept(peers);
        if (ctx.report() != null) {
            ctx.report().heading(2, "3. Kernels: gemm and the batched recurrent step")
                    .paragraph(String.format(Locale.ROOT, "One thread each; %d interleaved passes (our JMH run, then the "
                            + "peer's), medians; ratio = the peer's time / ours (above 1: we are faster), median and "
                            + "min–max over the pass pairs. Our kernel: %s. Peers: %s", passes, BenchMain.defaultKernel(),
                            peers))
                    .table(List.of("m,n,k", "streamnet GFLOP/s", "spread", "numpy GFLOP/s", "ratio"), gemmRows)
                    .image("sgemm GFLOP/s by size", "kernels-gemm.png")
                    .table(List.of("cell", "B", "H", "streamnet µs/step", "spread", "PyTorch µs/step", "ratio"), stepRows);
        }
    }

    private static List<String> rnnShapes() {
        List<String> shapes = new ArrayList<>();
        for (String cell : List.of("rnn", "lstm", "gru")) {
            for (int b : new int[] {1, 256}) {
                shapes.add(cell + "," + b + ",256");
            }
        }
        return shapes;
    }

    /**
     * JMH settings of a report pass: shorter than the stand-alone commands' (the pass repeats five
     * times and the passes are compared), one fork with the Vector API.
     */
    private static org.openjdk.jmh.runner.options.ChainedOptionsBuilder options(boolean quick) {
        return BenchMain.options(quick, "--add-modules=jdk.incubator.vector")
                .warmupIterations(quick ? 1 : 3)
                .warmupTime(org.openjdk.jmh.runner.options.TimeValue.milliseconds(quick ? 200 : 500))
                .measurementIterations(quick ? 2 : 5)
                .measurementTime(org.openjdk.jmh.runner.options.TimeValue.milliseconds(quick ? 200 : 500));
    }

    /** µs per sgemm, keyed "m,n,k". */
    private static Map<String, Double> gemmJmh(List<String> shapes, boolean quick) throws Exception {
        return BenchMain.medians(new Runner(options(quick).include(GemmBenchmark.class.getName() + ".gemm")
                .param("shape", shapes.toArray(new String[0])).build()).run(), "shape");
    }

    /** µs per step, keyed "cell,B,H", from RnnStepBenchmark for these shapes. */
    private static Map<String, Double> rnnJmh(List<String> shapes, boolean quick) throws Exception {
        List<String> cells = shapes.stream().map(x -> x.split(",")[0]).distinct().toList();
        List<String> batches = shapes.stream().map(x -> x.split(",")[1]).distinct().toList();
        List<String> hidden = shapes.stream().map(x -> x.split(",")[2]).distinct().toList();
        Map<String, Double> all = BenchMain.medians(new Runner(options(quick)
                .include(RnnStepBenchmark.class.getName() + ".step").param("cell", cells.toArray(new String[0]))
                .param("batch", batches.toArray(new String[0])).param("hidden", hidden.toArray(new String[0])).build())
                .run(), "cell", "batch", "hidden");
        all.keySet().retainAll(shapes);
        return all;
    }

    /** The peer script's "key<TAB>µs" lines (numpy_gemm.py prints a third column, ignored). */
    private static Map<String, Double> python(String script, List<String> shapes, int maxColumns) {
        Map<String, String> env = new LinkedHashMap<>(ONE_THREAD);
        if (java.nio.file.Files.isDirectory(java.nio.file.Path.of(RnnStepReport.OPENBLAS_OPENMP))) {
            env.put("LD_LIBRARY_PATH", RnnStepReport.OPENBLAS_OPENMP);
        }
        Map<String, Double> out = new LinkedHashMap<>();
        for (String line : PeerProcess.runPython("/usr/bin/python3", script, shapes, env)) {
            String[] f = line.split("\t");
            if (f.length >= 2 && f.length <= maxColumns) {
                out.put(f[0], Double.parseDouble(f[1]));
            }
        }
        return out;
    }

    private static List<Double> gflops(List<Double> micros, double flops) {
        return micros.stream().map(us -> flops / (us * 1e3)).toList();
    }
}
