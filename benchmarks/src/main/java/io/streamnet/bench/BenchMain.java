package io.streamnet.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.openjdk.jmh.results.BenchmarkResult;
import org.openjdk.jmh.results.IterationResult;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * {@code java -jar benchmarks.jar gemm [--quick]}: runs {@link GemmBenchmark} with the Vector API
 * micro-kernel and with the scalar one, then numpy/OpenBLAS on one thread for the same shapes, and
 * prints GFLOP/s side by side (medians of the measured iterations). {@code rnn [--quick]}: the
 * batched recurrent step beside PyTorch ({@link RnnStepReport}). {@code cnn [--quick]}: LeNet-5 and
 * ResNet-mini inference and training steps beside PyTorch ({@link CnnReport}). {@code pipeline [--quick]}: the
 * end-to-end Kafka + Flink benchmark ({@link io.streamnet.bench.pipeline.PipelineBenchmark}); {@code frames [--quick]}:
 * the frame job end to end, batch 32 vs 1 ({@link io.streamnet.bench.pipeline.FramePipelineBenchmark});
 * {@code report [--quick] [--out DIR] [--sections ...]}: every comparison interleaved into one Markdown
 * report with plots ({@link BenchReport}, also {@code streamnet bench}); run them
 * with {@code -cp benchmarks/target/benchmarks.jar:benchmarks/target/lib/*}. Any other arguments go to JMH.
 */
public final class BenchMain {
    static final List<String> SQUARE = List.of("64,64,64", "128,128,128", "256,256,256", "512,512,512",
            "1024,1024,1024");

    private BenchMain() {
    }

    public static void main(String[] args) throws Exception {
        boolean quick = Arrays.asList(args).contains("--quick");
        if (args.length > 0 && args[0].equals("gemm")) {
            gemm(quick);
            return;
        }
        if (args.length > 0 && args[0].equals("report")) {
            BenchReport.main(Arrays.copyOfRange(args, 1, args.length));
            return;
        }
        if (args.length > 0 && args[0].equals("frames")) {
            io.streamnet.bench.pipeline.FramePipelineBenchmark.main(args);
            return;
        }
        if (args.length > 0 && args[0].equals("smoother-online")) {
            io.streamnet.bench.pipeline.OnlineSmootherProof.main(args);
            return;
        }
        if (args.length > 0 && args[0].equals("charlm-online")) {
            io.streamnet.bench.pipeline.OnlineCharModelProof.main(args);
            return;
        }
        if (args.length > 0 && args[0].equals("training")) {
            io.streamnet.bench.pipeline.TrainingPipelineBenchmark.main(args);
            return;
        }
        if (args.length > 0 && args[0].equals("state-scale")) {
            io.streamnet.bench.pipeline.StateScaleBenchmark.main(args);
            return;
        }
        if (args.length > 0 && args[0].equals("pipeline")) {
            io.streamnet.bench.pipeline.PipelineBenchmark.main(args);
            return;
        }
        if (args.length > 0 && args[0].equals("cnn")) {
            CnnReport.run(quick);
            return;
        }
        if (args.length > 0 && args[0].equals("rnn")) {
            RnnStepReport.run(quick);
            return;
        }
        org.openjdk.jmh.Main.main(args);
    }

    static List<String> rnnShapes() {
        List<String> shapes = new ArrayList<>();
        for (int h : new int[] {128, 256, 512}) {
            for (int b : new int[] {1, 64, 256}) {
                shapes.add(b + "," + h + "," + h);
            }
        }
        return shapes;
    }

    static void gemm(boolean quick) throws RunnerException {
        List<String> shapes = new ArrayList<>(SQUARE);
        shapes.addAll(rnnShapes());
        // The kernel this CPU gets by default, the 256-bit one (what AVX2-only CPUs get), and plain Java.
        Map<String, Double> vector = runJmh(shapes, quick, "--add-modules=jdk.incubator.vector");
        Map<String, Double> vector256 = runJmh(shapes, quick, "--add-modules=jdk.incubator.vector",
                "-Dstreamnet.gemm=vector256");
        Map<String, Double> scalar = runJmh(shapes, quick, "-Dstreamnet.gemm=scalar");
        Map<String, Double> numpy = new LinkedHashMap<>();
        for (String line : PeerProcess.runPython("numpy_gemm.py", shapes,
                Map.of("OPENBLAS_NUM_THREADS", "1", "OMP_NUM_THREADS", "1", "MKL_NUM_THREADS", "1"))) {
            String[] f = line.split("\t");
            if (f.length == 3) {
                numpy.put(f[0], Double.parseDouble(f[1]));
            }
        }
        System.out.println();
        System.out.println("sgemm, one thread, median of measured iterations (GFLOP/s; ratio = ours / numpy-OpenBLAS)");
        System.out.println("vector = the kernel this CPU selects (" + defaultKernel() + "); vector256 = the AVX2 4x16 kernel");
        System.out.printf("%-16s %10s %10s %10s %10s %10s %10s %10s%n", "m,n,k", "vector", "vector256", "scalar",
                "numpy", "vec/numpy", "v256/numpy", "vec/scalar");
        for (String s : shapes) {
            double flops = flops(s);
            Double v = vector.get(s);
            Double v2 = vector256.get(s);
            Double sc = scalar.get(s);
            Double np = numpy.get(s);
            System.out.printf("%-16s %10s %10s %10s %10s %10s %10s %10s%n", s, gf(flops, v), gf(flops, v2),
                    gf(flops, sc), gf(flops, np), ratio(np, v), ratio(np, v2), ratio(sc, v));
        }
        if (numpy.isEmpty()) {
            System.out.println("(numpy not available: install python3-numpy for the OpenBLAS column)");
        }
    }

    /** Median microseconds per gemm for each shape. */
    static String defaultKernel() {
        return io.streamnet.engine.cpu.CpuBackend.gemmKernel();
    }

    static Map<String, Double> runJmh(List<String> shapes, boolean quick, String... jvmArgs) throws RunnerException {
        return medians(new Runner(options(quick, jvmArgs).include(GemmBenchmark.class.getName() + ".gemm")
                .param("shape", shapes.toArray(new String[0])).build()).run(), "shape");
    }

    static ChainedOptionsBuilder options(boolean quick, String... jvmArgs) {
        return new OptionsBuilder()
                .forks(1)
                .threads(1)
                .jvmArgsPrepend("-Xmx2g")
                .jvmArgsAppend(jvmArgs)
                .warmupIterations(quick ? 2 : 4)
                .warmupTime(TimeValue.milliseconds(quick ? 300 : 800))
                .measurementIterations(quick ? 3 : 7)
                .measurementTime(TimeValue.milliseconds(quick ? 300 : 800));
    }

    /** Median score per combination of the named parameters, keyed by their values joined with commas. */
    static Map<String, Double> medians(Collection<RunResult> results, String... params) {
        Map<String, Double> out = new LinkedHashMap<>();
        for (RunResult r : results) {
            List<String> key = new ArrayList<>();
            for (String p : params) {
                key.add(r.getParams().getParam(p));
            }
            List<Double> scores = new ArrayList<>();
            for (BenchmarkResult br : r.getBenchmarkResults()) {
                for (IterationResult ir : br.getIterationResults()) {
                    scores.add(ir.getPrimaryResult().getScore());
                }
            }
            scores.sort(Double::compare);
            out.put(String.join(",", key), scores.get(scores.size() / 2));
        }
        return out;
    }

    static double flops(String shape) {
        int[] s = GemmBenchmark.parse(shape);
        return 2.0 * s[0] * s[1] * s[2];
    }

    static String gf(double flops, Double micros) {
        return micros == null ? "-" : String.format("%.1f", flops / (micros * 1e3));
    }

    static String ratio(Double baseMicros, Double oursMicros) {
        return baseMicros == null || oursMicros == null ? "-" : String.format("%.2f", baseMicros / oursMicros);
    }
}
