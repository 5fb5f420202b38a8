package io.streamnet.bench.report;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** What a report's figures were measured on: it heads every report, so ratios are read with their machine. */
public final class MachineInfo {
    private MachineInfo() {
    }

    /** Rows of (what, value) for the report's head. */
    public static List<String[]> rows(String commandLine) {
        List<String[]> r = new ArrayList<>();
        r.add(new String[] {"date (UTC)", Instant.now().toString()});
        r.add(new String[] {"command", commandLine});
        r.add(new String[] {"cpu", cpuModel() + ", " + Runtime.getRuntime().availableProcessors() + " cores visible"});
        r.add(new String[] {"cpu flags", String.join(" ", vectorFlags())});
        r.add(new String[] {"memory", String.format(Locale.ROOT, "%.1f GiB physical, JVM max heap %.1f GiB", physicalGiB(),
                Runtime.getRuntime().maxMemory() / (double) (1L << 30))});
        r.add(new String[] {"jvm", System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version")
                + " (" + System.getProperty("java.vm.vendor") + ")"});
        r.add(new String[] {"os", System.getProperty("os.name") + " " + System.getProperty("os.version") + " "
                + System.getProperty("os.arch")});
        r.add(new String[] {"vector api", ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent()
                ? "enabled (jdk.incubator.vector)" : "off: the plain-Java kernels ran"});
        r.add(new String[] {"flink", version("org.apache.flink.runtime.util.EnvironmentInformation", "getVersion")});
        r.add(new String[] {"kafka", version("org.apache.kafka.common.utils.AppInfoParser", "getVersion")});
        r.add(new String[] {"streamnet", gitRevision()});
        return r;
    }

    static String cpuModel() {
        for (String line : lines("/proc/cpuinfo")) {
            if (line.startsWith("model name")) {
                return line.substring(line.indexOf(':') + 1).trim();
            }
        }
        return System.getProperty("os.arch");
    }

    static List<String> vectorFlags() {
        List<String> found = new ArrayList<>();
        for (String line : lines("/proc/cpuinfo")) {
            if (line.startsWith("flags")) {
                List<String> flags = List.of(line.substring(line.indexOf(':') + 1).trim().split("\\s+"));
                for (String f : new String[] {"sse4_2", "avx", "avx2", "fma", "avx512f", "avx512bw", "avx512vl", "avx512_vnni"}) {
                    if (flags.contains(f)) {
                        found.add(f);
                    }
                }
                break;
            }
        }
        if (found.isEmpty()) {
            found.add("(unknown)");
        }
        return found;
    }

    private static double physicalGiB() {
        for (String line : lines("/proc/meminfo")) {
            if (line.startsWith("MemTotal:")) {
                String[] f = line.trim().split("\\s+");
                return Long.parseLong(f[1]) / (double) (1L << 20);
            }
        }
        return Double.NaN;
    }

    private static String version(String cls, String method) {
        try {
            return String.valueOf(Class.forName(cls).getMethod(method).invoke(null));
        } catch (ReflectiveOperationException | LinkageError e) {
            return "(not on the class path)";
        }
    }

    /** The checkout's commit, when the report runs from one. */
    private static String gitRevision() {
        try {
            Process p = new ProcessBuilder("git", "rev-parse", "--short", "HEAD").redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes()).trim();
            Process d = new ProcessBuilder("git", "status", "--porcelain", "--untracked-files=no").redirectErrorStream(true)
                    .start();
            boolean dirty = !new String(d.getInputStream().readAllBytes()).isBlank();
            return p.waitFor() == 0 && d.waitFor() == 0 ? out + (dirty ? " (with uncommitted changes)" : "")
                    : "(not a git checkout)";
        } catch (IOException e) {
            return "(git not found)";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "(interrupted)";
        }
    }

    private static List<String> lines(String file) {
        try {
            return Files.readAllLines(Path.of(file));
        } catch (IOException | RuntimeException e) {
            return List.of();
        }
    }
}
