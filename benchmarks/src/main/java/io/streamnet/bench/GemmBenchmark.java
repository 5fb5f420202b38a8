package io.streamnet.bench;

import io.streamnet.engine.cpu.CpuBackend;
import io.streamnet.engine.tensor.Tensor;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Single-threaded sgemm C (m,n) = A (m,k) B (k,n). "Square" runs n^3; "rnnStep" runs the shape of
 * one recurrent step, [B,H] x [H,H]. Shapes are given as "m,n,k" so one parameter covers both.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class GemmBenchmark {
    @Param({"64,64,64", "128,128,128", "256,256,256", "512,512,512", "1024,1024,1024"})
    public String shape;

    private final CpuBackend cpu = CpuBackend.instance();
    private Tensor a;
    private Tensor b;
    private Tensor c;

    @Setup
    public void setup() {
        int[] s = parse(shape);
        Random rng = new Random(1);
        a = random(rng, s[0], s[2]);
        b = random(rng, s[2], s[1]);
        c = Tensor.zeros(s[0], s[1]);
    }

    @Benchmark
    public Tensor gemm() {
        cpu.gemm(false, false, 1f, a, b, 0f, c);
        return c;
    }

    static int[] parse(String shape) {
        String[] p = shape.split(",");
        return new int[] {Integer.parseInt(p[0].trim()), Integer.parseInt(p[1].trim()), Integer.parseInt(p[2].trim())};
    }

    static Tensor random(Random rng, int... shape) {
        Tensor t = Tensor.zeros(shape);
        for (int i = 0; i < t.size(); i++) {
            t.put(i, rng.nextFloat() - 0.5f);
        }
        return t;
    }
}
