package io.streamnet.serving.resident;

import io.streamnet.cnn.zoo.LeNet5;
import io.streamnet.cnn.zoo.ResNetMini;
import io.streamnet.engine.backend.Backend;
import io.streamnet.engine.backend.Placement;
import io.streamnet.engine.backend.Residency;
import io.streamnet.engine.cpu.CpuBackend;
import io.streamnet.engine.cuda.CudaBackend;
import io.streamnet.engine.nn.layer.Sequential;
import io.streamnet.engine.tensor.Tensor;
import io.streamnet.rnn.cell.CellType;
import io.streamnet.rnn.model.ModelConfig;
import io.streamnet.rnn.model.OutputType;
import io.streamnet.rnn.model.SequenceModel;
import io.streamnet.rnn.model.Task;
import io.streamnet.rnn.state.StateBatch;
import io.streamnet.serving.frame.FrameClassifier;
import io.streamnet.serving.model.ServedFrameModel;
import io.streamnet.serving.sequence.OutputMode;
import io.streamnet.serving.sequence.SequenceStepper;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * The operators' device-resident steps against the CPU, through the public serving API: a
 * {@link SequenceStepper} on {@code Placement.fixed(cuda)} against one on the CPU for the three
 * cells (two layers, feature input; one token model), and a {@link FrameClassifier} likewise for
 * LeNet-5 and ResNet-mini. Per case: the largest output and state error against the tolerance, and
 * the host-device copies of a steady step (the states and inputs up once, the states and outputs
 * down once). With {@code --timing} (on a real GPU) also the step's time on each side.
 *
 * <p>Runs wherever a CUDA driver answers: on a GPU (gpu/check.sh) or on fakecuda's stand-in driver
 * ({@code ResidentParityTest}). Exit status: 0 all pass, 1 a failure, 2 no CUDA.
 * Options: {@code --batches 1,7,64,1024} {@code --hidden 32} {@code --layers 2} {@code --frames 1,5}
 * {@code --timing}.
 */
public final class ResidentParity {
    private static final float ABS = 2e-4f;
    private static final float REL = 2e-4f;

    private final Backend cpu = CpuBackend.instance();
    private final Backend cuda;
    private final boolean timing;
    private final List<String> rows = new ArrayList<>();
    private int failures;

    private ResidentParity(Backend cuda, boolean timing) {
        this.cuda = cuda;
        this.timing = timing;
    }

    public static void main(String[] args) {
        int[] batches = {1, 7, 64, 1024};
        int[] frames = {1, 5};
        int hidden = 32;
        int layers = 2;
        boolean timing = false;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--batches" -> batches = ints(args[++i]);
                case "--frames" -> frames = ints(args[++i]);
                case "--hidden" -> hidden = Integer.parseInt(args[++i]);
                case "--layers" -> layers = Integer.parseInt(args[++i]);
                case "--timing" -> timing = true;
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        Backend cuda;
        try {
            cuda = CudaBackend.instance();
        } catch (RuntimeException | LinkageError e) {
            System.out.println("CUDA unavailable: " + e);
            System.exit(2);
            return;
        }
        ResidentParity p = new ResidentParity(cuda, timing);
        System.out.printf("%-34s %6s %11s %11s %9s %9s %s%n", "case", "rows", "max |err|", "err/tol", "up/step",
                "down/step", timing ? "us/step resident  host-tensor  cpu" : "");
        for (CellType cell : CellType.values()) {
            for (int b : batches) {
                p.sequence(ModelConfig.features(cell, 10, hidden, layers, 0f, 4, Task.CLASSIFICATION,
                        OutputType.MANY_TO_MANY), cell + " " + layers + "x" + hidden + " features", b);
            }
        }
        p.sequence(ModelConfig.tokens(CellType.GRU, 50, 8, hidden, 1, 0f, 3, OutputType.MANY_TO_MANY),
                "GRU 1x" + hidden + " tokens", Math.min(7, batches[batches.length - 1]));
        for (int n : frames) {
            p.frames("LeNet-5", LeNet5.build(CpuBackend.instance(), 11), n);
            p.frames("ResNet-mini", ResNetMini.build(CpuBackend.instance(), 12), n);
        }
        System.out.println(p.failures + " failed");
        System.exit(p.failures == 0 ? 0 : 1);
    }

    private void sequence(ModelConfig config, String name, int batch) {
        SequenceModel model = new SequenceModel(cpu, config, 7);
        Random rng = new Random(batch * 31L + name.hashCode());
        CountingDevice counted = new CountingDevice(cuda);
        try (SequenceStepper host = new SequenceStepper(model, "parity", 1, OutputMode.MANY_TO_MANY, 1, batch);
             SequenceStepper device = new SequenceStepper(model, "parity", 1, OutputMode.MANY_TO_MANY, 1, batch,
                     Placement.fixed(counted.backend(), "parity"))) {
            float[][] states = new float[batch][];
            float worst = 0;
            float worstRatio = 0;
            Residency.CopyCounts before = null;
            Residency.CopyCounts after = null;
            for (int step = 0; step < 3; step++) {
                float[] feats = new float[batch * Math.max(1, config.inputSize())];
                for (int i = 0; i < feats.length; i++) {
                    feats[i] = rng.nextFloat() * 2 - 1;
                }
                int[] tokens = new int[batch];
                for (int i = 0; i < batch; i++) {
                    tokens[i] = rng.nextInt(Math.max(1, config.vocabSize()));
                }
                for (SequenceStepper s : List.of(host, device)) {
                    for (int r = 0; r < batch; r++) {
                        s.loadState(r, states[r]);
                        if (config.tokenInput()) {
                            s.loadToken(r, tokens[r]);
                        } else {
                            s.loadFeatures(r, feats, r * config.inputSize());
                        }
                    }
                }
                if (step == 2) {
                    before = counted.copies();
                }
                check(host.run(batch) == 0 && device.run(batch) == 0, name + ": a row failed");
                if (step == 2) {
                    after = counted.copies();
                }
                for (int r = 0; r < batch; r++) {
                    float[] e = errors(host.output(r), device.output(r));
                    float[] f = errors(host.state(r), device.state(r));
                    worst = Math.max(worst, Math.max(e[0], f[0]));
                    worstRatio = Math.max(worstRatio, Math.max(e[1], f[1]));
                    states[r] = host.state(r); // each step from the same states: per-step parity
                }
            }
            int layers = config.layers();
            int perLayer = config.cell().hasCellState() ? 2 : 1;
            long ups = after.uploads() - before.uploads();
            long downs = after.downloads() - before.downloads();
            // up: the input rows (embedded or features) and each layer's gathered states; down: the new states and outputs
            boolean copiesOnce = ups == 1 + (long) layers * perLayer && downs == (long) layers * perLayer + 1;
            check(copiesOnce, name + " B" + batch + ": " + ups + " uploads and " + downs + " downloads per step");
            String t = timing ? times(model, batch) : "";
            row(name, batch, worst, worstRatio, ups, downs, t);
        }
    }

    private void frames(String name, Sequential cnn, int batch) {
        ServedFrameModel m;
        try {
            m = ServedFrameModel.of(cpu, cnn, null, Map.of(), "parity", 1);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        Random rng = new Random(batch * 17L + name.hashCode());
        CountingDevice counted = new CountingDevice(cuda);
        try (FrameClassifier host = new FrameClassifier(m, cpu, batch);
             FrameClassifier device = new FrameClassifier(m, Placement.fixed(counted.backend(), "parity"), batch)) {
            Residency.CopyCounts before = null;
            Residency.CopyCounts after = null;
            float worst = 0;
            float worstRatio = 0;
            for (int pass = 0; pass < 2; pass++) {
                for (int r = 0; r < batch; r++) {
                    byte[] px = new byte[m.height() * m.width() * m.channels()];
                    rng.nextBytes(px);
                    host.load(r, px);
                    device.load(r, px);
                }
                before = counted.copies();
                check(host.run(batch) == 0 && device.run(batch) == 0, name + ": a frame failed");
                after = counted.copies();
                float[] e = errors(host.probabilities().slice(0, batch).toArray(),
                        device.probabilities().slice(0, batch).toArray());
                float[] f = errors(host.features().slice(0, batch).toArray(), device.features().slice(0, batch).toArray());
                worst = Math.max(worst, Math.max(e[0], f[0]));
                worstRatio = Math.max(worstRatio, Math.max(e[1], f[1]));
            }
            long ups = after.uploads() - before.uploads();
            long downs = after.downloads() - before.downloads();
            int passes = 1; // a full batch is one pass (a partial one goes down the ladder)
            // up: the frames; down: the features and the probabilities (batch norm stays folded on the device)
            check(ups == passes && downs == 2L * passes, name + " N" + batch + ": " + ups + " uploads and " + downs
                    + " downloads in " + passes + " passes");
            row(name + " forward", batch, worst, worstRatio, ups, downs, timing ? frameRates(host, device, batch) : "");
        }
    }

    /** Median µs of a step: resident on the device, the host-tensor calls on the device, the CPU. */
    private String times(SequenceModel model, int batch) {
        double[] us = new double[3];
        for (int k = 0; k < 3; k++) {
            Runnable step;
            AutoCloseable owner;
            if (k == 1) {
                step = perCallCopies(model, batch);
                owner = () -> { };
            } else {
                Placement p = k == 2 ? Placement.fixed(cpu, "cpu") : Placement.fixed(cuda, "cuda");
                SequenceStepper s = new SequenceStepper(model, "t", 1, OutputMode.MANY_TO_MANY, 1, batch, p);
                float[] f = new float[model.config().inputSize()];
                for (int r = 0; r < batch; r++) {
                    s.loadState(r, null);
                    if (!model.config().tokenInput()) {
                        s.loadFeatures(r, f, 0);
                    }
                }
                step = () -> s.run(batch);
                owner = s;
            }
            try (AutoCloseable o = owner) {
                double[] samples = new double[15];
                for (int i = -5; i < samples.length; i++) {
                    long t0 = System.nanoTime();
                    step.run();
                    if (i >= 0) {
                        samples[i] = (System.nanoTime() - t0) / 1e3;
                    }
                }
                Arrays.sort(samples);
                us[k] = samples[samples.length / 2];
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
        return String.format("%10.1f %12.1f %9.1f", us[0], us[1], us[2]);
    }

    /**
     * The stepper's batched step on a device copy of the model with no residency, every operation
     * copying its operands in and out: the baseline the resident step is timed against. The rows
     * start from the initial state with zero inputs, as the timed steppers' do.
     */
    private Runnable perCallCopies(SequenceModel model, int batch) {
        SequenceModel onDevice = new SequenceModel(cuda, model.config(), 0);
        onDevice.store().load(model.store().values());
        StateBatch states = model.newStateBatch(batch);
        for (int r = 0; r < batch; r++) {
            states.load(r, model.initialState().values());
        }
        int[] tokens = new int[batch];
        Tensor features = model.config().tokenInput() ? null : Tensor.zeros(batch, model.config().inputSize());
        return () -> onDevice.stepBatch(states, batch, tokens, features);
    }

    /** Frames per second of a full pass: resident on the device, and on the CPU (medians of 11). */
    private static String frameRates(FrameClassifier host, FrameClassifier device, int batch) {
        double[] rates = new double[2];
        FrameClassifier[] sides = {device, host};
        for (int k = 0; k < 2; k++) {
            double[] s = new double[11];
            for (int i = -3; i < s.length; i++) {
                long t0 = System.nanoTime();
                sides[k].run(batch);
                if (i >= 0) {
                    s[i] = (System.nanoTime() - t0) / 1e9;
                }
            }
            Arrays.sort(s);
            rates[k] = batch / s[s.length / 2];
        }
        return String.format("frames/s resident %10.0f  cpu %10.0f", rates[0], rates[1]);
    }

    /** max |a - b| and max |a - b| / (ABS + REL |a|). */
    private static float[] errors(float[] a, float[] b) {
        float err = 0;
        float ratio = 0;
        for (int i = 0; i < a.length; i++) {
            float d = Math.abs(a[i] - b[i]);
            if (Float.isNaN(d)) {
                d = Float.POSITIVE_INFINITY;
            }
            err = Math.max(err, d);
            ratio = Math.max(ratio, d / (ABS + REL * Math.abs(a[i])));
        }
        return new float[] {err, ratio};
    }

    private void row(String name, int n, float err, float ratio, long ups, long downs, String extra) {
        boolean ok = ratio <= 1f;
        if (!ok) {
            failures++;
        }
        System.out.printf("%-34s %6d %11.3e %11.4f %9d %9d %s %s%n", name, n, err, ratio, ups, downs, extra,
                ok ? "PASS" : "FAIL");
    }

    private void check(boolean ok, String what) {
        if (!ok) {
            failures++;
            System.out.println("FAIL " + what);
        }
    }

    private static int[] ints(String csv) {
        return Arrays.stream(csv.split(",")).mapToInt(Integer::parseInt).toArray();
    }
}
