package io.streamnet.engine.cuda;

import io.streamnet.engine.backend.Backend;
import io.streamnet.engine.backend.BackendProvider.Availability;
import io.streamnet.engine.backend.Backends;
import io.streamnet.engine.cpu.CpuBackend;
import io.streamnet.engine.tensor.Tensor;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * One-shot GPU check: device and driver, the parity table of every kernel against the CPU backend,
 * then timings (gemm: kernel only on device-resident data, with host copies, CPU; LSTM and GRU
 * steps). Exit status 0 when every parity case passes, 1 when one fails, 2 when CUDA is unavailable
 * (after a short CPU-only timing that proves the runtime and class path work).
 *
 * <p>Options: {@code --parity-only}, {@code --no-cpu-timing}, {@code --max-gemm N} (largest gemm
 * size timed, default 4096), {@code --max-batch N} (largest recurrent-step batch timed, default 1024).
 *
 * <p>Test code, kept out of the production jar: it ships in the engine's test jar, which
 * {@code gpu/prepare.sh} carries to the GPU machine for {@code gpu/check.sh}.
 */
public final class GpuCheck {
    private static final int[] GEMM_SIZES = {256, 512, 1024, 2048, 4096};
    /** CPU gemm timing stops here (a 4096 gemm takes seconds on one core). */
    private static final int CPU_GEMM_MAX = 2048;
    private static final int[] STEP_BATCHES = {1, 64, 1024};
    private static final int[] STEP_HIDDEN = {128, 256};
    private static final int STEP_INPUT = 64;

    private GpuCheck() {
    }

    public static void main(String[] args) {
        boolean parityOnly = false;
        boolean cpuTiming = true;
        int maxGemm = 4096;
        int maxBatch = 1024;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--parity-only" -> parityOnly = true;
                case "--no-cpu-timing" -> cpuTiming = false;
                case "--max-gemm" -> maxGemm = Integer.parseInt(args[++i]);
                case "--max-batch" -> maxBatch = Integer.parseInt(args[++i]);
                default -> {
                    System.err.println("unknown option " + args[i]
                            + " (expected --parity-only, --no-cpu-timing, --max-gemm N, --max-batch N)");
                    System.exit(64);
                }
            }
        }
        System.exit(run(parityOnly, cpuTiming, maxGemm, maxBatch));
    }

    static int run(boolean parityOnly, boolean cpuTiming, int maxGemm, int maxBatch) {
        long t0 = System.nanoTime();
        System.out.println("== streamnet GPU check ==");
        System.out.println("java: " + System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version")
                + ", " + Runtime.getRuntime().availableProcessors() + " cpus, cpu gemm kernel " + CpuBackend.gemmKernel()
                + ", vector module " + ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent());
        Availability a = new CudaProvider().probe();
        if (!a.available()) {
            System.out.println("CUDA unavailable: " + a.reason());
            System.out.println("== CPU-only timing (proves the runtime and class path) ==");
            gemmTiming(null, new int[] {256, 512}, cpuTiming);
            System.out.println("exit 2 (CUDA unavailable)");
            return 2;
        }
        CudaBackend gpu = CudaBackend.instance();
        CudaContext ctx = gpu.context();
        System.out.println("device: " + ctx.deviceName() + ", sm_" + ctx.computeCapability() + ", "
                + ctx.multiprocessors() + " SMs, " + String.format(Locale.ROOT, "%.1f GiB", ctx.totalMemory() / 1073741824.0));
        System.out.println("driver: CUDA " + CudaContext.versionString(ctx.driverVersion()) + " (" + ctx.driverVersion() + ")");
        System.out.println("probe: " + a.reason());
        System.out.println("auto backend (STREAMNET_BACKEND=auto): "
                + Backends.select("auto", Backends.providers()).name());

        System.out.println();
        System.out.println("== parity vs CpuBackend ==");
        System.out.println(CudaParity.Result.header());
        List<CudaParity.Case> cases = CudaParity.cases();
        int fails = 0;
        long p0 = System.nanoTime();
        for (CudaParity.Case c : cases) {
            CudaParity.Result r = c.run(gpu);
            System.out.println(r.row());
            if (!r.pass()) {
                fails++;
            }
        }
        System.out.printf(Locale.ROOT, "parity: %d cases, %d FAIL (%.1f s)%n", cases.size(), fails,
                (System.nanoTime() - p0) / 1e9);

        if (!parityOnly) {
            int[] sizes = Arrays.stream(GEMM_SIZES).filter(s -> s <= maxGemm).toArray();
            try {
                System.out.println();
                gemmTiming(gpu, sizes, cpuTiming);
                System.out.println();
                stepTiming(gpu, cpuTiming, maxBatch);
            } catch (RuntimeException e) {
                System.out.println("timing failed: " + CudaContext.reason(e));
                e.printStackTrace(System.out);
                fails++;
            }
        }
        System.out.printf(Locale.ROOT, "%ntotal %.1f s; %s%n", (System.nanoTime() - t0) / 1e9,
                fails == 0 ? "ALL PASS" : fails + " FAIL");
        return fails == 0 ? 0 : 1;
    }

    // ---- gemm ----

    private static void gemmTiming(CudaBackend gpu, int[] sizes, boolean cpuTiming) {
        System.out.println("== gemm C = A B, square, float32; ms median (GFLOP/s) ==");
        System.out.printf(Locale.ROOT, "%6s %22s %22s %22s %9s %9s%n", "n", "gpu kernel (resident)", "gpu incl. copies",
                "cpu (CpuBackend)", "kern/cpu", "e2e/cpu");
        CpuBackend cpu = CpuBackend.instance();
        warmCpu(cpu);
        for (int n : sizes) {
            Random r = new Random(n);
            Tensor a = CudaParity.rand(r, -1f, 1f, n, n);
            Tensor b = CudaParity.rand(r, -1f, 1f, n, n);
            Tensor c = Tensor.zeros(n, n);
            double flop = 2.0 * n * n * n;
            double kernel = Double.NaN;
            double e2e = Double.NaN;
            if (gpu != null) {
                DeviceOps ops = gpu.deviceOps();
                try (DeviceTensor da = ops.upload(a); DeviceTensor db = ops.upload(b); DeviceTensor dc = ops.allocateDevice(n, n)) {
                    for (int i = 0; i < 3; i++) {
                        ops.gemmDevice(false, false, 1f, da, db, 0f, dc);
                    }
                    ops.synchronize();
                    double[] ms = new double[10];
                    for (int i = 0; i < ms.length; i++) {
                        ms[i] = ops.elapsedMillis(() -> ops.gemmDevice(false, false, 1f, da, db, 0f, dc));
                    }
                    kernel = median(ms);
                }
                e2e = medianMillis(2, 10, 5.0, () -> gpu.gemm(false, false, 1f, a, b, 0f, c));
            }
            double cpuMs = cpuTiming && n <= CPU_GEMM_MAX
                    ? medianMillis(1, 10, 4.0, () -> cpu.gemm(false, false, 1f, a, b, 0f, c)) : Double.NaN;
            System.out.printf(Locale.ROOT, "%6d %22s %22s %22s %9s %9s%n", n, msFlops(kernel, flop), msFlops(e2e, flop),
                    msFlops(cpuMs, flop), ratio(cpuMs, kernel), ratio(cpuMs, e2e));
        }
    }

    private static void warmCpu(CpuBackend cpu) {
        Tensor a = Tensor.zeros(128, 128).fill(0.5f);
        Tensor c = Tensor.zeros(128, 128);
        for (int i = 0; i < 50; i++) {
            cpu.gemm(false, false, 1f, a, a, 0f, c);
        }
    }

    // ---- recurrent steps ----

    private static void stepTiming(CudaBackend gpu, boolean cpuTiming, int maxBatch) {
        System.out.println("== one recurrent step (gates = x Wx + h Wh + b, then the fused cell), input " + STEP_INPUT
                + "; µs median ==");
        System.out.printf(Locale.ROOT, "%-5s %6s %5s %14s %14s %12s %10s%n", "cell", "batch", "H", "gpu resident",
                "gpu host API", "cpu", "res/cpu");
        CpuBackend cpu = CpuBackend.instance();
        for (String cell : new String[] {"lstm", "gru"}) {
            int gates = cell.equals("lstm") ? 4 : 3;
            for (int h : STEP_HIDDEN) {
                for (int batch : STEP_BATCHES) {
                    if (batch > maxBatch) {
                        continue;
                    }
                    Random r = new Random(batch * 31L + h);
                    Step host = new Step(cell, r, batch, h, gates);
                    double cpuUs = cpuTiming ? 1000 * medianMillis(5, 30, 2.0, () -> host.run(cpu)) : Double.NaN;
                    double hostUs = 1000 * medianMillis(5, 30, 2.0, () -> host.run(gpu));
                    double resUs;
                    try (DeviceStep dev = new DeviceStep(gpu.deviceOps(), host)) {
                        resUs = 1000 * medianMillis(10, 50, 2.0, () -> {
                            dev.run();
                            gpu.deviceOps().synchronize();
                        });
                    }
                    System.out.printf(Locale.ROOT, "%-5s %6d %5d %14.1f %14.1f %12s %10s%n", cell, batch, h, resUs,
                            hostUs, Double.isNaN(cpuUs) ? "-" : String.format(Locale.ROOT, "%.1f", cpuUs),
                            ratio(cpuUs, resUs));
                }
            }
        }
    }

    /** Host tensors of one step; {@link #run} makes the SPI calls a cell makes. */
    private static final class Step {
        final String cell;
        final Tensor x;
        final Tensor wx;
        final Tensor hPrev;
        final Tensor wh;
        final Tensor bias;
        final Tensor cPrev;
        final Tensor gx;
        final Tensor gh;
        final Tensor cOut;
        final Tensor hOut;

        Step(String cell, Random r, int batch, int h, int g) {
            this.cell = cell;
            x = CudaParity.rand(r, -1f, 1f, batch, STEP_INPUT);
            wx = CudaParity.rand(r, -0.1f, 0.1f, STEP_INPUT, g * h);
            hPrev = CudaParity.rand(r, -1f, 1f, batch, h);
            wh = CudaParity.rand(r, -0.1f, 0.1f, h, g * h);
            bias = CudaParity.rand(r, -0.1f, 0.1f, g * h);
            cPrev = CudaParity.rand(r, -1f, 1f, batch, h);
            gx = Tensor.zeros(batch, g * h);
            gh = Tensor.zeros(batch, g * h);
            cOut = Tensor.zeros(batch, h);
            hOut = Tensor.zeros(batch, h);
        }

        void run(Backend be) {
            if (cell.equals("lstm")) {
                be.gemm(false, false, 1f, x, wx, 0f, gx);
                be.gemm(false, false, 1f, hPrev, wh, 1f, gx);
                be.addBias(gx, bias);
                be.lstmForward(gx, cPrev, cOut, hOut, null);
            } else {
                be.gemm(false, false, 1f, x, wx, 0f, gx);
                be.addBias(gx, bias);
                be.gemm(false, false, 1f, hPrev, wh, 0f, gh);
                be.addBias(gh, bias);
                be.gruForward(gx, gh, hPrev, hOut);
            }
        }
    }

    /** The same step on device tensors: launches only. */
    private static final class DeviceStep implements AutoCloseable {
        final DeviceOps ops;
        final String cell;
        final DeviceTensor x;
        final DeviceTensor wx;
        final DeviceTensor hPrev;
        final DeviceTensor wh;
        final DeviceTensor bias;
        final DeviceTensor cPrev;
        final DeviceTensor gx;
        final DeviceTensor gh;
        final DeviceTensor cOut;
        final DeviceTensor hOut;

        DeviceStep(DeviceOps ops, Step s) {
            this.ops = ops;
            this.cell = s.cell;
            x = ops.upload(s.x);
            wx = ops.upload(s.wx);
            hPrev = ops.upload(s.hPrev);
            wh = ops.upload(s.wh);
            bias = ops.upload(s.bias);
            cPrev = ops.upload(s.cPrev);
            gx = ops.upload(s.gx);
            gh = ops.upload(s.gh);
            cOut = ops.upload(s.cOut);
            hOut = ops.upload(s.hOut);
        }

        void run() {
            if (cell.equals("lstm")) {
                ops.gemmDevice(false, false, 1f, x, wx, 0f, gx);
                ops.gemmDevice(false, false, 1f, hPrev, wh, 1f, gx);
                ops.addBiasDevice(gx, bias);
                ops.lstmForwardDevice(gx, cPrev, cOut, hOut, null);
            } else {
                ops.gemmDevice(false, false, 1f, x, wx, 0f, gx);
                ops.addBiasDevice(gx, bias);
                ops.gemmDevice(false, false, 1f, hPrev, wh, 0f, gh);
                ops.addBiasDevice(gh, bias);
                ops.gruForwardDevice(gx, gh, hPrev, hOut);
            }
        }

        @Override
        public void close() {
            for (DeviceTensor t : new DeviceTensor[] {x, wx, hPrev, wh, bias, cPrev, gx, gh, cOut, hOut}) {
                t.close();
            }
        }
    }

    // ---- timing helpers ----

    /** Median wall time in ms of up to {@code reps} runs after {@code warmup}, stopping early after {@code maxSeconds}. */
    static double medianMillis(int warmup, int reps, double maxSeconds, Runnable work) {
        for (int i = 0; i < warmup; i++) {
            work.run();
        }
        double[] ms = new double[reps];
        long deadline = System.nanoTime() + (long) (maxSeconds * 1e9);
        int done = 0;
        while (done < reps) {
            long s = System.nanoTime();
            work.run();
            ms[done++] = (System.nanoTime() - s) / 1e6;
            if (System.nanoTime() > deadline) {
                break;
            }
        }
        return median(Arrays.copyOf(ms, done));
    }

    static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        int n = s.length;
        return n == 0 ? Double.NaN : n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
    }

    private static String msFlops(double ms, double flop) {
        if (Double.isNaN(ms)) {
            return "-";
        }
        return String.format(Locale.ROOT, "%9.3f (%8.1f)", ms, flop / (ms * 1e6));
    }

    private static String ratio(double slow, double fast) {
        if (Double.isNaN(slow) || Double.isNaN(fast) || fast <= 0) {
            return "-";
        }
        double r = slow / fast;
        return String.format(Locale.ROOT, r >= 10 ? "%.0fx" : r >= 1 ? "%.1fx" : "%.3fx", r);
    }
}
