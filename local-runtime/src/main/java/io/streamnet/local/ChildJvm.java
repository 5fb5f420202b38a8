package io.streamnet.local;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A JVM the local runtime starts beside this one (a Kafka node, a Flink JobManager or TaskManager):
 * this JVM's own java binary, its JVM flags, a classpath, a main class and its arguments, everything
 * it prints appended to its log file. It can be stopped (SIGTERM, then SIGKILL after a grace time)
 * or killed with SIGKILL, as a crash would.
 */
public final class ChildJvm {
    /** How long a JVM killed with SIGKILL gets to be gone before it is given up on. */
    static final Duration KILL_WAIT = Duration.ofSeconds(10);

    private final String name;
    private final Process process;
    private final Path log;

    private ChildJvm(String name, Process process, Path log) {
        this.name = name;
        this.process = process;
        this.log = log;
    }

    /** The java binary this JVM runs on. */
    public static String javaBinary() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    /** This JVM's classpath. */
    public static String thisClasspath() {
        return System.getProperty("java.class.path");
    }

    /** {@code java FLAGS -cp CLASSPATH MAIN ARGS}. */
    public static List<String> command(List<String> flags, String classpath, String mainClass, List<String> args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(javaBinary());
        cmd.addAll(flags);
        cmd.add("-cp");
        cmd.add(classpath);
        cmd.add(mainClass);
        cmd.addAll(args);
        return cmd;
    }

    /** Starts {@link #command} with its output and errors appended to {@code log}. */
    public static ChildJvm start(String name, List<String> flags, String classpath, String mainClass,
                                 List<String> args, Path log) throws IOException {
        Process p = new ProcessBuilder(command(flags, classpath, mainClass, args)).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        return new ChildJvm(name, p, log);
    }

    public String name() {
        return name;
    }

    public long pid() {
        return process.pid();
    }

    public Path log() {
        return log;
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    public int exitValue() {
        return process.exitValue();
    }

    /** Waits up to {@code timeout} for it to end; true when it did. */
    public boolean awaitExit(Duration timeout) throws InterruptedException {
        return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** SIGKILL, returning at once: no shutdown hook runs, nothing is flushed. */
    public void kill() {
        process.destroyForcibly();
    }

    /** SIGKILL, and returns once it is gone. */
    public void killAndWait() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor();
    }

    /**
     * Stops every one of {@code jvms} at once with SIGTERM (their shutdown hooks run), gives each
     * {@code grace} to end, and kills those that did not. Interrupted, it kills the rest at once.
     *
     * @return those that had to be killed
     */
    public static List<ChildJvm> stopAll(List<ChildJvm> jvms, Duration grace) {
        for (ChildJvm j : jvms) {
            j.process.destroy();
        }
        List<ChildJvm> killed = new ArrayList<>();
        for (ChildJvm j : jvms) {
            try {
                if (!j.awaitExit(grace)) {
                    killed.add(j);
                    j.process.destroyForcibly().waitFor(KILL_WAIT.toMillis(), TimeUnit.MILLISECONDS);
                }
            } catch (InterruptedException e) {
                j.kill();
                Thread.currentThread().interrupt();
            }
        }
        return killed;
    }

    /** Kills every one of {@code jvms} at once with SIGKILL and waits a little for each to be gone. */
    public static void killAll(List<ChildJvm> jvms) {
        for (ChildJvm j : jvms) {
            j.kill();
        }
        try {
            for (ChildJvm j : jvms) {
                j.awaitExit(KILL_WAIT);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public String toString() {
        return name + " (pid " + process.pid() + ", log " + log + ")";
    }
}
