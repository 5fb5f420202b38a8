package io.streamnet.local.flink;

import io.streamnet.local.ChildJvm;
import io.streamnet.local.FreePorts;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Flink standalone session cluster on this machine, every process its own JVM, from the classes
 * on this JVM's classpath (flink-dist is not on Maven Central): a JobManager
 * ({@code StandaloneSessionClusterEntrypoint}) and TaskManagers ({@code TaskManagerRunner}) that
 * can be killed with SIGKILL and replaced. Every listener binds 127.0.0.1. Memory flags come from
 * Flink's own {@code BashJavaUtils}, as Flink's scripts compute them.
 */
public final class StandaloneCluster implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(StandaloneCluster.class);
    private static final String LOOPBACK = "127.0.0.1";
    private static final String RESULT = "BASH_JAVA_UTILS_EXEC_RESULT:";
    /** What Flink's default configuration opens to its own code ({@code env.java.opts.all}). */
    private static final List<String> OPENS = List.of("--add-exports=java.base/sun.net.util=ALL-UNNAMED",
            "--add-exports=java.rmi/sun.rmi.registry=ALL-UNNAMED", "--add-opens=java.base/java.lang=ALL-UNNAMED",
            "--add-opens=java.base/java.net=ALL-UNNAMED", "--add-opens=java.base/java.io=ALL-UNNAMED",
            "--add-opens=java.base/java.nio=ALL-UNNAMED", "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
            "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED", "--add-opens=java.base/java.text=ALL-UNNAMED",
            "--add-opens=java.base/java.time=ALL-UNNAMED", "--add-opens=java.base/java.util=ALL-UNNAMED",
            "--add-opens=java.base/java.util.concurrent=ALL-UNNAMED",
            "--add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED",
            "--add-opens=java.base/java.util.concurrent.locks=ALL-UNNAMED", "--add-modules=jdk.incubator.vector");

    /** How the cluster is laid out. {@code classpath}: its processes' classpath; null: this JVM's. */
    public record Settings(Path home, int slotsPerTaskManager, String jobManagerMemory, String taskManagerMemory,
                           Map<String, String> extra, String classpath) {
        public static Settings local(Path home, int slots) {
            return new Settings(home, slots, "1024m", "1280m", Map.of(), null);
        }

        public Settings withClasspath(String cp) {
            return new Settings(home, slotsPerTaskManager, jobManagerMemory, taskManagerMemory, extra, cp);
        }
    }

    private final Settings settings;
    private final Path conf;
    private final int restPort;
    private final String classpath;
    private volatile ChildJvm jobManager;
    private final List<ChildJvm> taskManagers = new ArrayList<>();
    private int started;
    private List<String> tmFlags;
    private List<String> jmFlags;
    private int jobManagersStarted;
    /** The JobManager's entry class and its arguments: a session cluster's, or an application's. */
    private String jobManagerMain = "org.apache.flink.runtime.entrypoint.StandaloneSessionClusterEntrypoint";
    private List<String> jobManagerArgs = List.of();

    private StandaloneCluster(Settings settings) throws IOException {
        this.settings = settings;
        this.classpath = flinkOnly(settings.classpath() != null ? settings.classpath()
                : ChildJvm.thisClasspath());
        this.conf = Files.createDirectories(settings.home().resolve("conf"));
        Files.createDirectories(settings.home().resolve("log"));
        this.restPort = FreePorts.one();
        Map<String, String> c = new LinkedHashMap<>();
        c.put("jobmanager.rpc.address", LOOPBACK);
        c.put("jobmanager.rpc.port", Integer.toString(FreePorts.one()));
        c.put("jobmanager.bind-host", LOOPBACK);
        c.put("rest.address", LOOPBACK);
        c.put("rest.bind-address", LOOPBACK);
        c.put("rest.port", Integer.toString(restPort));
        c.put("taskmanager.host", LOOPBACK);
        c.put("taskmanager.bind-host", LOOPBACK);
        c.put("taskmanager.numberOfTaskSlots", Integer.toString(settings.slotsPerTaskManager()));
        c.put("jobmanager.memory.process.size", settings.jobManagerMemory());
        c.put("taskmanager.memory.process.size", settings.taskManagerMemory());
        // else a TaskManager that raced the JobManager waits 10 s before it tries again
        c.put("cluster.registration.error-delay", "1000");
        // A killed TaskManager is declared lost within seconds: its heartbeat RPCs, every second, fail at
        // once (2 failures in a row, Flink's rpc-failure-threshold). A live one that is merely slow (GC, a
        // busy 2-core machine) has 30 s: a short timeout there declared a healthy TaskManager lost.
        c.put("heartbeat.interval", "1000");
        c.put("heartbeat.rpc-failure-threshold", "2");
        c.put("heartbeat.timeout", "30000");
        c.put("web.submit.enable", "false");
        c.put("web.cancel.enable", "false");
        // Flink's default, *, lets any web page the user visits read the REST API (exceptions, config, logs)
        c.put("web.access-control-allow-origin", "http://" + LOOPBACK + ":" + restPort);
        c.putAll(settings.extra());
        StringBuilder yaml = new StringBuilder();
        c.forEach((k, v) -> yaml.append(k).append(": ").append(v).append('\n'));
        Files.writeString(conf.resolve("config.yaml"), yaml);
        Files.writeString(conf.resolve("log4j.properties"), "rootLogger.level = INFO\n"
                + "rootLogger.appenderRef.console.ref = console\nappender.console.type = Console\n"
                + "appender.console.name = console\nappender.console.layout.type = PatternLayout\n"
                + "appender.console.layout.pattern = %d{HH:mm:ss.SSS} %-5level %c{1} - %msg%n\n");
    }

    /** Starts the JobManager and {@code taskManagers} TaskManagers, and waits until all have registered. */
    public static StandaloneCluster start(Settings settings, int taskManagers, Duration timeout) throws Exception {
        return start(new StandaloneCluster(settings), taskManagers, timeout);
    }

    /**
     * An application cluster (Flink's application mode, as {@code standalone-job} of Flink's image and
     * the Kubernetes operator run jobs): the JobManager runs {@code jobClass}'s main with
     * {@code jobArgs}, from the classpath, and serves that one job.
     */
    public static StandaloneCluster startApplication(Settings settings, int taskManagers, Duration timeout,
                                                     String jobClass, List<String> jobArgs) throws Exception {
        StandaloneCluster c = new StandaloneCluster(settings);
        c.jobManagerMain = "org.apache.flink.container.entrypoint.StandaloneApplicationClusterEntryPoint";
        List<String> args = new ArrayList<>(List.of("--job-classname", jobClass));
        args.addAll(jobArgs);
        c.jobManagerArgs = List.copyOf(args);
        return start(c, taskManagers, timeout);
    }

    private static StandaloneCluster start(StandaloneCluster c, int taskManagers, Duration timeout) throws Exception {
        try {
            c.jmFlags = c.resourceFlags("GET_JM_RESOURCE_PARAMS");
            c.startJobManager();
            List<String> tm = c.resourceFlags("GET_TM_RESOURCE_PARAMS");
            c.tmFlags = tm;
            for (int i = 0; i < taskManagers; i++) {
                c.startTaskManager();
            }
            c.awaitTaskManagers(taskManagers, timeout);
            return c;
        } catch (Exception e) {
            c.close();
            throw e;
        }
    }

    /** The REST port (the Web UI, job submission). */
    public int restPort() {
        return restPort;
    }

    /**
     * Starts the JobManager (again, after {@link #killJobManager}) on the same RPC and REST ports:
     * the TaskManagers still alive find it there and register again. Without high availability it
     * knows no jobs; they are resubmitted, from their latest retained checkpoint.
     */
    public synchronized void startJobManager() throws IOException {
        if (jobManager != null && jobManager.isAlive()) {
            throw new IllegalStateException("the JobManager is running");
        }
        jobManager = launch(jobManagersStarted++ == 0 ? "jobmanager" : "jobmanager-" + jobManagersStarted,
                jmFlags.get(0), jobManagerArgs, jobManagerMain);
    }

    /** Kills the JobManager with SIGKILL: its jobs die with it (no HA), the TaskManagers lose their leader. */
    public synchronized void killJobManager() throws InterruptedException {
        jobManager.killAndWait();
        LOG.info("killed the JobManager, pid {}, with SIGKILL", jobManager.pid());
    }

    /** Starts one more TaskManager (not waiting for it to register). */
    public synchronized void startTaskManager() throws IOException {
        List<String> dynamic = new ArrayList<>(List.of(tmFlags.get(1).trim().split("\\s+")));
        taskManagers.add(launch("taskmanager-" + started++, tmFlags.get(0), dynamic,
                "org.apache.flink.runtime.taskexecutor.TaskManagerRunner"));
    }

    /** Kills the TaskManager at {@code index} of those alive with SIGKILL: no shutdown hook, no goodbye. */
    public synchronized void killTaskManager(int index) throws InterruptedException {
        ChildJvm p = taskManagers.remove(index);
        p.killAndWait();
        LOG.info("killed TaskManager pid {} with SIGKILL", p.pid());
    }

    public synchronized int taskManagersAlive() {
        return taskManagers.size();
    }

    /** Waits until the JobManager counts {@code n} registered TaskManagers. */
    public void awaitTaskManagers(int n, Duration timeout) throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        Pattern id = Pattern.compile("\"id\"\\s*:");
        long deadline = System.nanoTime() + timeout.toNanos();
        String body = "";
        while (System.nanoTime() < deadline) {
            if (!jobManager.isAlive()) {
                throw new IllegalStateException("the JobManager exited: see " + settings.home().resolve("log"));
            }
            try {
                body = http.send(HttpRequest.newBuilder(URI.create("http://" + LOOPBACK + ":" + restPort + "/taskmanagers"))
                        .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString()).body();
                Matcher m = id.matcher(body);
                int count = 0;
                while (m.find()) {
                    count++;
                }
                if (count >= n) {
                    return;
                }
            } catch (IOException notYet) {
                // REST not up yet
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException("fewer than " + n + " TaskManagers registered in time: " + body);
    }

    /** Waits until the job and every one of its tasks run (after a start or a failover). */
    public void awaitRunning(String jobId, Duration timeout) throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        var json = new com.fasterxml.jackson.databind.ObjectMapper();
        long deadline = System.nanoTime() + timeout.toNanos();
        String body = "";
        while (System.nanoTime() < deadline) {
            body = http.send(HttpRequest.newBuilder(URI.create("http://" + LOOPBACK + ":" + restPort + "/jobs/" + jobId))
                    .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString()).body();
            var job = json.readTree(body);
            boolean running = "RUNNING".equals(job.path("state").asText()) && job.path("vertices").size() > 0;
            for (var v : job.path("vertices")) {
                running &= "RUNNING".equals(v.path("status").asText());
            }
            if (running) {
                return;
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException("job " + jobId + " not running in time: " + body);
    }

    /** Waits until the job has failed over at least {@code n} times. */
    public void awaitFailovers(String jobId, int n, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (failovers(jobId) < n) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("job " + jobId + " failed over " + failovers(jobId) + " times, not " + n);
            }
            Thread.sleep(100);
        }
    }

    /**
     * How many times the job failed over so far: the entries of its exception history on the
     * JobManager's REST API (a killed TaskManager is one, whatever the restarts it took).
     */
    public int failovers(String jobId) throws Exception {
        String body = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://" + LOOPBACK + ":"
                + restPort + "/jobs/" + jobId + "/exceptions")).timeout(Duration.ofSeconds(5)).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        return new com.fasterxml.jackson.databind.ObjectMapper().readTree(body).path("exceptionHistory")
                .path("entries").size();
    }

    /** Flink's memory flags for a process (line 1: JVM flags, line 2: dynamic properties). */
    private List<String> resourceFlags(String command) throws Exception {
        Process p = new ProcessBuilder(ChildJvm.command(List.of(), classpath,
                "org.apache.flink.runtime.util.bash.BashJavaUtils", List.of(command, "--configDir", conf.toString())))
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException("BashJavaUtils " + command + " failed:\n" + out);
        }
        List<String> results = out.lines().filter(l -> l.startsWith(RESULT)).map(l -> l.substring(RESULT.length()))
                .toList();
        if (results.size() < 2) {
            throw new IllegalStateException("BashJavaUtils " + command + " printed no flags:\n" + out);
        }
        return results.subList(results.size() - 2, results.size());
    }

    private ChildJvm launch(String name, String jvmFlags, List<String> dynamic, String mainClass) throws IOException {
        List<String> flags = new ArrayList<>(List.of(jvmFlags.trim().split("\\s+")));
        flags.addAll(OPENS);
        flags.add("-Dlog4j.configurationFile=" + conf.resolve("log4j.properties").toUri());
        flags.add("-Djava.io.tmpdir=" + Files.createDirectories(settings.home().resolve("tmp")));
        List<String> args = new ArrayList<>(List.of("--configDir", conf.toString()));
        args.addAll(dynamic);
        Path log = settings.home().resolve("log").resolve(name + ".log");
        ChildJvm p = ChildJvm.start(name, flags, classpath, mainClass, args, log);
        LOG.info("started {} (pid {}), log {}", name, p.pid(), log);
        return p;
    }

    /**
     * The classpath without Kafka Streams' RocksDB (rocksdbjni) where Flink's fork (frocksdbjni) is
     * there: the cluster runs Flink only, and the two share class and library names. Neither the Flink
     * library's nor the cli's runtime classpath holds both any more (their classpath tests prove it),
     * but a test classpath can: flink's tests run the Kafka Streams app beside the Flink operators, and
     * start standalone clusters from that same classpath.
     */
    static String flinkOnly(String classpath) {
        String sep = java.io.File.pathSeparator;
        List<String> entries = List.of(classpath.split(java.util.regex.Pattern.quote(sep)));
        java.util.function.Function<String, String> name = e -> e.substring(e.lastIndexOf(java.io.File.separatorChar) + 1);
        if (entries.stream().noneMatch(e -> name.apply(e).startsWith("frocksdbjni"))) {
            return classpath;
        }
        return String.join(sep, entries.stream().filter(e -> !name.apply(e).startsWith("rocksdbjni")).toList());
    }

    @Override
    public synchronized void close() {
        List<ChildJvm> all = new ArrayList<>(taskManagers);
        if (jobManager != null) {
            all.add(jobManager);
        }
        ChildJvm.killAll(all);
        taskManagers.clear();
    }
}
