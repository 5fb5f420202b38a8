package io.streamnet.interop;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.streamnet.engine.cpu.CpuBackend;
import io.streamnet.interop.cnn.CnnArch;
import io.streamnet.interop.cnn.CnnImport;
import io.streamnet.interop.onnx.OnnxGraph;
import io.streamnet.interop.onnx.OnnxImport;
import io.streamnet.interop.pytorch.RecurrentArch;
import io.streamnet.interop.pytorch.RecurrentImport;
import io.streamnet.interop.safetensors.SafeTensors;
import io.streamnet.rnn.text.Vocabulary;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Damaged model files: the committed ONNX and safetensors fixtures (and the ARCH files beside them)
 * mutated at random (bit flips, bytes set, inserted, deleted or duplicated, truncation, splices of
 * another fixture; and, to get past the parsers, graph, tensor and JSON edits: {@link GraphMutations},
 * {@link TensorMutations}, {@link TextMutations}) must each end in a model or a clean refusal ({@link ImportException}), never in
 * another exception or error, within a time and an allocation bound per case. The seed is fixed so a
 * failure reproduces; {@code -Dstreamnet.soak} runs many more cases ({@code -Dstreamnet.fuzz.cases=N}
 * sets the count, {@code -Dstreamnet.fuzz.seed=S} another seed).
 */
class ImportFuzzTest {
    private static final long SEED = Long.getLong("streamnet.fuzz.seed", 0x5EED_0030L);
    private static final boolean SOAK = Boolean.getBoolean("streamnet.soak");
    private static final int CASES = Integer.getInteger("streamnet.fuzz.cases", SOAK ? 200_000 : 2_000);
    /** A case runs in milliseconds; seconds mean a loop over the graph (or a CI machine at its slowest). */
    private static final long CASE_TIMEOUT_MS = 5_000;
    /**
     * Every fixture imports allocating under 3 MiB (the 250 KB LeNet-5s the most); a mutation may not make
     * a file cost much more than that, whatever sizes it declares.
     */
    private static final long MAX_ALLOCATED = 32L << 20;
    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    private enum Kind { ONNX, SAFETENSORS, ARCH }

    /** A file to damage and how to import it. */
    private record Target(Kind kind, String name, byte[] bytes, byte[] other) {
    }

    /** With -Dstreamnet.fuzz.show: how often each refusal was met, to see how deep the mutations reach. */
    private static final Map<String, Integer> SHOWN = new java.util.concurrent.ConcurrentHashMap<>();
    private static final List<Target> TARGETS = new ArrayList<>();
    private static Vocabulary tokens;
    private static Vocabulary sentiment;

    @TempDir
    static Path dir;

    @BeforeAll
    static void fixtures() throws Exception {
        tokens = Fixtures.vocabulary();
        sentiment = RecurrentArch.read(Fixtures.ROOT.resolve("pytorch/sentiment_gru.arch.json")).vocabulary();
        try (var files = Files.list(Fixtures.ROOT.resolve("onnx"))) {
            for (Path f : files.filter(p -> p.toString().endsWith(".onnx")).sorted().toList()) {
                TARGETS.add(new Target(Kind.ONNX, f.getFileName().toString(), Files.readAllBytes(f), null));
            }
        }
        for (String sub : List.of("pytorch", "streamnet")) {
            try (var files = Files.list(Fixtures.ROOT.resolve(sub))) {
                for (Path arch : files.filter(p -> p.toString().endsWith(".arch.json")).sorted().toList()) {
                    String base = arch.getFileName().toString().replace(".arch.json", "");
                    Path st = arch.resolveSibling(base + ".safetensors");
                    byte[] a = Files.readAllBytes(arch);
                    byte[] s = Files.readAllBytes(st);
                    TARGETS.add(new Target(Kind.SAFETENSORS, sub + "/" + base, s, a));
                    TARGETS.add(new Target(Kind.ARCH, sub + "/" + base + ".arch.json", a, s));
                }
            }
        }
    }

    @Test
    void everyUnmutatedFixtureImportsSoTheFuzzerStartsFromModels() throws Exception {
        for (Target t : TARGETS) {
            assertThat(importOf(t, t.bytes())).as(t.name()).isNull();
        }
    }

    @Test
    void everyMutatedFixtureEndsInAModelOrACleanRefusalWithinTimeAndMemoryBounds() throws Exception {
        Random rnd = new Random(SEED);
        Map<String, String> failures = new LinkedHashMap<>();
        int models = 0;
        int refusals = 0;
        long worstAllocated = 0;
        long worstNanos = 0;
        long start = System.nanoTime();
        ExecutorService worker = worker();
        try {
            boolean timedOut = false;
            for (int c = 0; c < CASES && failures.size() < 20 && !timedOut; c++) {
                Target t = TARGETS.get(rnd.nextInt(TARGETS.size()));
                List<String> how = new ArrayList<>();
                byte[] input = t.bytes();
                int rounds = rnd.nextInt(4) == 0 ? 2 + rnd.nextInt(2) : 1;
                for (int r = 0; r < rounds; r++) {
                    int family = rnd.nextInt(3);
                    if (family == 0) {
                        input = mutate(rnd, input, donor(rnd, t), how);
                    } else if (t.kind() == Kind.ONNX) {
                        input = GraphMutations.mutate(rnd, input, how);
                    } else if (t.kind() == Kind.SAFETENSORS && rnd.nextBoolean()) {
                        input = TextMutations.header(rnd, input, how);
                    } else if (t.kind() == Kind.SAFETENSORS) {
                        input = TensorMutations.mutate(rnd, input, dir, how);
                    } else {
                        input = TextMutations.text(rnd, input, how);
                    }
                }
                byte[] mutated = input;
                long began = System.nanoTime();
                Future<Outcome> f = worker.submit(() -> measured(t, mutated));
                Outcome o;
                try {
                    o = f.get(CASE_TIMEOUT_MS, TimeUnit.MILLISECONDS);
                } catch (TimeoutException e) {
                    // the stuck thread cannot be stopped: report it and end here, before it starves the later cases
                    f.cancel(true);
                    o = new Outcome("still running after " + CASE_TIMEOUT_MS + " ms", 0);
                    timedOut = true;
                }
                worstNanos = Math.max(worstNanos, System.nanoTime() - began);
                worstAllocated = Math.max(worstAllocated, o.allocated());
                String problem = o.problem();
                if (problem == null && o.allocated() > MAX_ALLOCATED) {
                    problem = "allocated " + (o.allocated() >> 20) + " MiB, over the " + (MAX_ALLOCATED >> 20) + " MiB bound";
                }
                if (problem != null) {
                    Path kept = Path.of("target/fuzz-failures").resolve("case" + c + "-" + t.name().replace('/', '_'));
                    Files.createDirectories(kept.getParent());
                    Files.write(kept, mutated);
                    failures.put("case " + c + " " + t.name() + " " + how + " (" + kept + ")", problem);
                } else if (o.refused()) {
                    refusals++;
                } else {
                    models++;
                }
            }
        } finally {
            worker.shutdownNow();
        }
        System.out.printf("import fuzz: %d cases (seed %#x) in %.1f s: %d models, %d refusals, %d failures; slowest case "
                        + "%d ms, most allocated %.1f MiB%n", models + refusals + failures.size(), SEED,
                (System.nanoTime() - start) / 1e9, models, refusals, failures.size(), worstNanos / 1_000_000,
                worstAllocated / (double) (1 << 20));
        failures.forEach((k, v) -> System.out.println("  " + k + ": " + v));
        SHOWN.entrySet().stream().sorted(Map.Entry.<String, Integer>comparingByValue().reversed()).limit(40)
                .forEach(e -> System.out.println("REFUSAL " + e.getValue() + " " + e.getKey()));
        assertThat(failures).isEmpty();
        assertThat(models).as("mutations that still import (the fuzzer reaches past the parsers)").isPositive();
    }

    private static ExecutorService worker() {
        return Executors.newSingleThreadExecutor(r -> {
            Thread th = new Thread(r, "import-fuzz");
            th.setDaemon(true);
            return th;
        });
    }

    /** problem: null for a model or a clean refusal (refused tells which), else what went wrong. */
    private record Outcome(String problem, long allocated, boolean refused) {
        Outcome(String problem, long allocated) {
            this(problem, allocated, false);
        }
    }

    private static Outcome measured(Target t, byte[] bytes) {
        long before = THREADS.getCurrentThreadAllocatedBytes();
        String problem;
        boolean refused = false;
        try {
            String refusal = importOf(t, bytes);
            refused = refusal != null;
            problem = null;
            if (refused && System.getProperty("streamnet.fuzz.show") != null) {
                String k = (t.kind() + " " + refusal.replaceAll("[0-9]+", "N").replaceAll("'[^']*'", "'X'")
                        .replace('\n', ' '));
                SHOWN.merge(k.substring(0, Math.min(90, k.length())), 1, Integer::sum);
            }
        } catch (Throwable e) {
            StringBuilder at = new StringBuilder();
            for (int i = 0; i < Math.min(6, e.getStackTrace().length); i++) {
                at.append("\n      at ").append(e.getStackTrace()[i]);
            }
            problem = e + at.toString();
        }
        return new Outcome(problem, THREADS.getCurrentThreadAllocatedBytes() - before, refused);
    }

    /** {@link #run} of the target's file replaced by {@code bytes}. */
    private static String importOf(Target t, byte[] bytes) throws Exception {
        return t.kind() == Kind.ARCH ? run(t, t.other(), bytes) : run(t, bytes, t.other());
    }

    /**
     * Imports {@code model} (with {@code arch} for a state_dict) as {@code streamnet import} would: null
     * for a model, the message of an {@link ImportException}; anything else is thrown.
     */
    private static String run(Target t, byte[] model, byte[] arch) throws Exception {
        try {
            if (t.kind() == Kind.ONNX) {
                OnnxGraph g = OnnxGraph.parse(model, OnnxGraph.Limits.DEFAULTS);
                Vocabulary v = t.name().startsWith("sentiment") ? sentiment : t.name().contains("tokens") ? tokens : null;
                OnnxImport.toModel(CpuBackend.instance(), g, null, v);
                return null;
            }
            Path st = Files.write(dir.resolve("model.safetensors"), model);
            Path a = Files.write(dir.resolve("model.arch.json"), arch);
            SafeTensors.Contents c = SafeTensors.read(st, SafeTensors.Limits.DEFAULTS);
            JsonNode json = JsonFiles.read(a, JsonFiles.MAX_ARCH_BYTES, "ARCH");
            if ("cnn".equals(json.path("family").asText())) {
                CnnArch.Resolved r = CnnArch.resolve(json, c.tensors());
                CnnImport.toModel(CpuBackend.instance(), r.input(), r.layers());
            } else {
                RecurrentImport.toModel(CpuBackend.instance(), c.tensors(), RecurrentArch.parse(json));
            }
            return null;
        } catch (ImportException e) {
            return e.getMessage();
        }
    }

    /** Another fixture of the same kind, to splice from. */
    private static byte[] donor(Random rnd, Target t) {
        List<Target> same = TARGETS.stream().filter(x -> x.kind() == t.kind()).toList();
        return same.get(rnd.nextInt(same.size())).bytes();
    }

    private static byte[] mutate(Random rnd, byte[] in, byte[] donor, List<String> how) {
        int n = in.length;
        if (n == 0) {
            how.add("insert into empty");
            return new byte[] {(byte) rnd.nextInt()};
        }
        int at = rnd.nextInt(n);
        switch (rnd.nextInt(8)) {
            case 0 -> {
                byte[] out = in.clone();
                int flips = 1 + rnd.nextInt(8);
                for (int i = 0; i < flips; i++) {
                    int p = rnd.nextInt(n);
                    out[p] ^= (byte) (1 << rnd.nextInt(8));
                }
                how.add(flips + " bit flips");
                return out;
            }
            case 1 -> {
                byte[] out = in.clone();
                byte[] interesting = {0, (byte) 0xff, 0x7f, (byte) 0x80, 1, '-', '9', '['};
                int len = 1 + rnd.nextInt(Math.min(8, n - at));
                for (int i = 0; i < len; i++) {
                    out[at + i] = interesting[rnd.nextInt(interesting.length)];
                }
                how.add("set " + len + " bytes at " + at);
                return out;
            }
            case 2 -> {
                byte[] ins = new byte[1 + rnd.nextInt(16)];
                rnd.nextBytes(ins);
                how.add("insert " + ins.length + " at " + at);
                return splice(in, at, at, ins);
            }
            case 3 -> {
                int len = 1 + rnd.nextInt(Math.min(64, n - at));
                how.add("delete " + len + " at " + at);
                return splice(in, at, at + len, new byte[0]);
            }
            case 4 -> {
                how.add("truncate at " + at);
                return Arrays.copyOf(in, at);
            }
            case 5 -> {
                int len = 1 + rnd.nextInt(Math.min(512, n - at));
                int to = rnd.nextInt(n + 1);
                how.add("duplicate " + len + " from " + at + " at " + to);
                return splice(in, to, to, Arrays.copyOfRange(in, at, at + len));
            }
            case 6 -> {
                int from = rnd.nextInt(donor.length);
                int len = 1 + rnd.nextInt(Math.min(512, donor.length - from));
                int end = Math.min(n, at + rnd.nextInt(512));
                how.add("splice " + len + " donor bytes over " + at + ".." + end);
                return splice(in, at, end, Arrays.copyOfRange(donor, from, from + len));
            }
            default -> {
                int cut = rnd.nextInt(donor.length);
                how.add("head to " + at + " + donor tail from " + cut);
                return splice(in, at, n, Arrays.copyOfRange(donor, cut, donor.length));
            }
        }
    }

    private static byte[] splice(byte[] in, int from, int to, byte[] with) {
        byte[] out = new byte[in.length - (to - from) + with.length];
        System.arraycopy(in, 0, out, 0, from);
        System.arraycopy(with, 0, out, from, with.length);
        System.arraycopy(in, to, out, from + with.length, in.length - to);
        return out;
    }
}
