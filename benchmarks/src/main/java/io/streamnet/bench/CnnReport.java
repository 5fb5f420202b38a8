package io.streamnet.bench;

import io.streamnet.cnn.zoo.ModelZoo;
import io.streamnet.engine.cpu.CpuBackend;
import io.streamnet.engine.nn.layer.Sequential;
import io.streamnet.engine.nn.loss.SoftmaxCrossEntropyLoss;
import io.streamnet.engine.nn.optim.Adam;
import io.streamnet.engine.nn.optim.LearningRateSchedule;
import io.streamnet.engine.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * {@code benchmarks.jar cnn [--quick]}: LeNet-5 and ResNet-mini on 28x28x1 frames, one thread:
 * inference frames/s (eval mode) at batch 1, 32 and 256, and the time of one training step at
 * batch 64 (forward, backward, Adam) with the epoch time it implies for 60k images; beside PyTorch
 * CPU (Debian python3-torch, one thread) on the same architectures, measured in the same run.
 * Medians of timed repetitions after a warm-up.
 */
final class CnnReport {
    private static final int[] BATCHES = {1, 32, 256};
    private static final int TRAIN_BATCH = 64;

    private CnnReport() {
    }

    static void run(boolean quick) {
        int reps = quick ? 5 : 11;
        warmUp();
        Map<String, Double> ours = ours(reps);
        Map<String, Double> torch = torch(reps);
        System.out.println();
        System.out.println("CNN on 28x28x1, one thread; inference in frames/s (ratio = ours / PyTorch, above 1 = we are faster);");
        System.out.println("training: one Adam step at batch 64 in ms, and the 60k-image epoch it implies (ratio = PyTorch / ours)");
        System.out.printf("%-12s %-12s %14s %14s %8s%n", "model", "measure", "streamnet", "pytorch", "ratio");
        for (var e : ours.entrySet()) {
            String[] k = e.getKey().split(",");
            Double t = torch.get(e.getKey());
            if (k[1].equals("infer")) {
                System.out.printf("%-12s %-12s %,14.0f %14s %8s%n", k[0], "batch " + k[2], e.getValue(),
                        t == null ? "-" : String.format("%,.0f", t), t == null ? "-" : String.format("%.2f", e.getValue() / t));
            } else {
                System.out.printf("%-12s %-12s %14s %14s %8s%n", k[0], "train step", String.format("%.1f ms", e.getValue() * 1e3),
                        t == null ? "-" : String.format("%.1f ms", t * 1e3), t == null ? "-" : String.format("%.2f", t / e.getValue()));
                System.out.printf("%-12s %-12s %14s %14s%n", k[0], "epoch (60k)", String.format("%.0f s", e.getValue() * 60_000 / TRAIN_BATCH),
                        t == null ? "-" : String.format("%.0f s", t * 60_000 / TRAIN_BATCH));
            }
        }
    }

    /**
     * Every model and batch once before any timing: the first measurement otherwise ran while C2
     * was still compiling the kernels (LeNet-5 at batch 1 read 27 to 13,000 frames/s across runs).
     */
    static void warmUp() {
        warmUp(4.0);
    }

    static void warmUp(double seconds) {
        long warmEnd = System.nanoTime() + (long) (seconds * 1e9);
        while (System.nanoTime() < warmEnd) {
            for (String model : List.of("lenet5", "resnet-mini")) {
                Sequential net = ModelZoo.build(model, CpuBackend.instance(), 1);
                for (int b : BATCHES) {
                    net.infer(random(b));
                }
            }
        }
    }

    /** Ours: "model,infer,B" in frames/s and "model,train,64" in seconds per Adam step (medians of {@code reps}). */
    static Map<String, Double> ours(int reps) {
        return ours(reps, 2.0);
    }

    static Map<String, Double> ours(int reps, double warmSeconds) {
        Map<String, Double> ours = new LinkedHashMap<>();
        for (String model : List.of("lenet5", "resnet-mini")) {
            Sequential net = ModelZoo.build(model, CpuBackend.instance(), 1);
            for (int b : BATCHES) {
                Tensor x = random(b);
                double s = median(reps, () -> net.infer(x), warmSeconds);
                ours.put(model + ",infer," + b, b / s);
            }
            Tensor x = random(TRAIN_BATCH);
            int[] labels = new int[TRAIN_BATCH];
            for (int i = 0; i < labels.length; i++) {
                labels[i] = i % 10;
            }
            Adam adam = new Adam(CpuBackend.instance(), LearningRateSchedule.constant(1e-3f));
            SoftmaxCrossEntropyLoss loss = new SoftmaxCrossEntropyLoss(CpuBackend.instance());
            double step = median(reps, () -> {
                Tensor logits = net.forward(x, true);
                loss.forward(logits, labels);
                net.backward(loss.gradient());
                adam.step(net.parameters());
            }, warmSeconds);
            ours.put(model + ",train," + TRAIN_BATCH, step);
        }
        return ours;
    }

    /** PyTorch CPU (one thread) for the same keys, from torch_cnn.py; empty when python3 has no torch. */
    static Map<String, Double> torch(int reps) {
        return torch(reps, 2.0);
    }

    static Map<String, Double> torch(int reps, double warmSeconds) {
        Map<String, Double> torch = new LinkedHashMap<>();
        List<String> args = new ArrayList<>(List.of(Integer.toString(reps), Double.toString(warmSeconds)));
        // Debian's python3-torch lives in the system interpreter; OpenBLAS-openmp at one thread (PLATFORM.md).
        Map<String, String> env = new LinkedHashMap<>(Map.of("OMP_NUM_THREADS", "1", "OPENBLAS_NUM_THREADS", "1"));
        if (java.nio.file.Files.isDirectory(java.nio.file.Path.of(RnnStepReport.OPENBLAS_OPENMP))) {
            env.put("LD_LIBRARY_PATH", RnnStepReport.OPENBLAS_OPENMP);
        }
        for (String line : PeerProcess.runPython("/usr/bin/python3", "torch_cnn.py", args, env)) {
            String[] f = line.split("\t");
            if (f.length == 2) {
                torch.put(f[0], Double.parseDouble(f[1]));
            }
        }
        return torch;
    }

    private static Tensor random(int batch) {
        Random r = new Random(batch);
        float[] v = new float[batch * 28 * 28];
        for (int i = 0; i < v.length; i++) {
            v[i] = r.nextFloat();
        }
        return Tensor.wrap(v, batch, 1, 28, 28);
    }

    /** Median seconds of one call over {@code reps} timed repetitions, after 2 s of warm-up calls (JIT). */
    private static double median(int reps, Runnable op) {
        return median(reps, op, 2.0);
    }

    /** As above after {@code warmSeconds} of warm-up calls (a harness check uses a fraction of a second). */
    private static double median(int reps, Runnable op, double warmSeconds) {
        long warm = System.nanoTime() + (long) (warmSeconds * 1e9);
        for (int i = 0; i < 3 || System.nanoTime() < warm; i++) {
            op.run();
        }
        double[] s = new double[reps];
        for (int i = 0; i < reps; i++) {
            long t0 = System.nanoTime();
            op.run();
            s[i] = (System.nanoTime() - t0) / 1e9;
        }
        Arrays.sort(s);
        return s[reps / 2];
    }
}
