package io.streamnet.bench.report;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs the contenders of one comparison interleaved, A B C A B C ..., so that drift of the machine
 * (other load, frequency, the JIT) falls on every contender alike; each pass of each contender
 * returns one figure (events/s, frames/s, GFLOP/s). Pass i of every contender forms a pass tuple,
 * and ratios are taken within a tuple, never across tuples.
 */
public final class Interleaved {
    /** One contender: a name and a pass that measures it once. */
    public record Contender(String name, Pass pass) {
    }

    @FunctionalInterface
    public interface Pass {
        double run(int index) throws Exception;
    }

    /** A contender whose pass measures several figures at once (every shape of a kernel, say). */
    public record Group(String name, GroupPass pass) {
    }

    @FunctionalInterface
    public interface GroupPass {
        /** figure name -> value; a peer that cannot run returns none. */
        Map<String, Double> run(int index) throws Exception;
    }

    private Interleaved() {
    }

    /** {@code passes} rounds over the contenders in order; each contender's figures in pass order. */
    public static Samples run(List<Contender> contenders, int passes, java.util.function.Consumer<String> log)
            throws Exception {
        Map<String, List<Double>> out = new LinkedHashMap<>();
        for (Contender c : contenders) {
            out.put(c.name(), new ArrayList<>());
        }
        for (int i = 0; i < passes; i++) {
            for (Contender c : contenders) {
                double v = c.pass().run(i);
                out.get(c.name()).add(v);
                log.accept(String.format(java.util.Locale.ROOT, "pass %d/%d %-28s %,.1f", i + 1, passes, c.name(), v));
            }
        }
        return new Samples(out);
    }

    /**
     * {@code passes} rounds over the groups in order; the samples are named "group figure" (a figure
     * a group's pass did not return is missing from that pass on).
     */
    public static Samples runGroups(List<Group> groups, int passes, java.util.function.Consumer<String> log)
            throws Exception {
        Map<String, List<Double>> out = new LinkedHashMap<>();
        for (int i = 0; i < passes; i++) {
            for (Group g : groups) {
                Map<String, Double> figures = g.pass().run(i);
                for (Map.Entry<String, Double> e : figures.entrySet()) {
                    out.computeIfAbsent(g.name() + " " + e.getKey(), k -> new ArrayList<>()).add(e.getValue());
                }
                log.accept(String.format(java.util.Locale.ROOT, "pass %d/%d %s: %d figures", i + 1, passes, g.name(),
                        figures.size()));
            }
        }
        return new Samples(out);
    }

    /** Each contender's figures, pass by pass. */
    public record Samples(Map<String, List<Double>> byContender) {
        public List<Double> of(String name) {
            List<Double> v = byContender.get(name);
            if (v == null) {
                throw new IllegalArgumentException("no contender " + name + " in " + byContender.keySet());
            }
            return v;
        }

        public double median(String name) {
            return Stats.median(of(name));
        }

        public boolean has(String name) {
            return byContender.containsKey(name) && !byContender.get(name).isEmpty();
        }

        /** a / b within each pass tuple. */
        public List<Double> ratios(String a, String b) {
            List<Double> x = of(a);
            List<Double> y = of(b);
            List<Double> r = new ArrayList<>(x.size());
            for (int i = 0; i < Math.min(x.size(), y.size()); i++) {
                r.add(x.get(i) / y.get(i));
            }
            return r;
        }
    }
}
