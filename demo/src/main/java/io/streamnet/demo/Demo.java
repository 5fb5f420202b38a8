package io.streamnet.demo;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * The one-command demo: {@link ServingDemo} (sentiment conversations and camera frames served
 * from cached or trained models), or with {@link DemoSettings#learn()} the {@link LearningDemo}.
 * Every input is checked first ({@link DemoPreflight}), so a missing one stops the demo at once,
 * not after training.
 */
public final class Demo {
    private final DemoSettings s;
    private final DemoPreflight.Sources sources;

    /** {@code sources}: where the preflight finds the datasets ({@link DemoPreflight.Sources#standard()}). */
    public Demo(DemoSettings settings, DemoPreflight.Sources sources) {
        this.s = settings;
        this.sources = sources;
    }

    /** Runs the demo to its end: 0, or 2 (printed why) for settings or inputs it cannot run with. */
    public int run() throws Exception {
        if (s.learn()) {
            if (s.passes() < 1 || !(s.trainRate() > 0) || !(s.rate() > 0)) {
                System.err.println("--passes, --train-rate and --rate must be positive");
                return 2;
            }
            DemoPreflight inputs = preflight(new DemoPreflight(sources).sentiment());
            return inputs == null ? 2 : new LearningDemo(inputs.sentences(), s.passes(), s.trainRate(),
                    Math.max(s.rate(), 400), s.webPort(), s.dashboardPort(), s.metricsPort(), s.seconds()).run();
        }
        if (s.rate() <= 0 || s.conversations() < 1 || s.epochs() < 1 || s.cameras() < 0 || !(s.fps() > 0)
                || s.cnnEpochs() < 1) {
            System.err.println("--rate, --conversations, --epochs, --fps and --cnn-epochs must be positive, --cameras >= 0");
            return 2;
        }
        DemoPreflight check = new DemoPreflight(sources).sentiment().modelFile("sentiment model (--model)", s.model());
        if (s.cameras() > 0) {
            Path framesPath = s.framesModel();
            check.fashionMnist("the cameras' frames; --cameras 0 runs without them")
                    .modelFile("frame model (--frames-model)", framesPath);
            if (!Files.isRegularFile(framesPath)) {
                check.modelFile("LeNet-5 for the frame model", s.cnnModel());
            }
        }
        DemoPreflight inputs = preflight(check);
        return inputs == null ? 2 : new ServingDemo(s, inputs).run();
    }

    /** The checked inputs, or null after printing what is missing; the ports are checked here for both demos. */
    private DemoPreflight preflight(DemoPreflight check) {
        long t0 = System.nanoTime();
        check.port("--web-port", s.webPort()).port("--dashboard-port", s.dashboardPort())
                .port("--metrics-port", s.metricsPort());
        try {
            check.verify();
        } catch (DemoPreflight.InputsMissing e) {
            System.err.println(e.getMessage());
            return null;
        }
        System.out.printf(Locale.ROOT, "inputs checked in %d ms: %d sentiment sentences from %s%s%n",
                (System.nanoTime() - t0) / 1_000_000, check.sentences().size(), check.sentimentDir(),
                check.fashionMnistDir() == null ? "" : ", Fashion-MNIST from " + check.fashionMnistDir());
        return check;
    }
}
