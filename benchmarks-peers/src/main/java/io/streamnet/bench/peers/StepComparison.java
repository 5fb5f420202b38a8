package io.streamnet.bench.peers;

import io.streamnet.bench.RnnStepBenchmark;
import io.streamnet.bench.report.Interleaved;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Our batched recurrent step against PyTorch's through DJL, in this one JVM, one thread each: the
 * same timing loop around both (warm-up, then passes interleaved ours / theirs), µs per step.
 */
final class StepComparison {
    private StepComparison() {
    }

    /** A step to time: returns something from its result so that the JIT cannot drop it. */
    @FunctionalInterface
    interface Step {
        float run();
    }

    /** µs per step of each shape "cell,B,H", per contender, pass by pass. */
    static Interleaved.Samples run(List<String> shapes, int passes, long passMillis, long warmupMillis,
                                   Consumer<String> log) throws Exception {
        Map<String, Step> ours = new LinkedHashMap<>();
        Map<String, Step> djl = new LinkedHashMap<>();
        List<AutoCloseable> open = new java.util.ArrayList<>();
        try {
            for (String shape : shapes) {
                String[] p = shape.split(",");
                RnnStepBenchmark b = new RnnStepBenchmark();
                b.cell = p[0];
                b.batch = Integer.parseInt(p[1]);
                b.hidden = Integer.parseInt(p[2]);
                b.setup();
                ours.put(shape, () -> b.step().h(0).at(0));
                DjlStep d = new DjlStep(p[0], b.batch, RnnStepBenchmark.INPUT, b.hidden);
                open.add(d);
                djl.put(shape, d::step);
                time(ours.get(shape), warmupMillis);
                time(djl.get(shape), warmupMillis);
            }
            return Interleaved.runGroups(List.of(
                    new Interleaved.Group("ours step", i -> timeAll(ours, passMillis)),
                    new Interleaved.Group("djl step", i -> timeAll(djl, passMillis))), passes, log);
        } finally {
            for (AutoCloseable c : open) {
                c.close();
            }
        }
    }

    private static Map<String, Double> timeAll(Map<String, Step> steps, long millis) {
        Map<String, Double> out = new LinkedHashMap<>();
        steps.forEach((shape, s) -> out.put(shape, time(s, millis)));
        return out;
    }

    private static float sink;

    /** µs per call, calling {@code s} for about {@code millis}. */
    private static double time(Step s, long millis) {
        long end = System.nanoTime() + millis * 1_000_000;
        long start = System.nanoTime();
        long n = 0;
        float acc = 0;
        long now;
        do {
            for (int i = 0; i < 8; i++) {
                acc += s.run();
            }
            n += 8;
            now = System.nanoTime();
        } while (now < end);
        sink += acc;
        return (now - start) / 1e3 / n;
    }
}
