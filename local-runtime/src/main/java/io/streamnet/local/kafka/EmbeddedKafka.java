package io.streamnet.local.kafka;

import io.streamnet.contract.ClientProperties;
import io.streamnet.local.ChildJvm;
import io.streamnet.local.FreePorts;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.Uuid;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real Kafka cluster in KRaft mode on 127.0.0.1: each node is Kafka's own server ({@code kafka.Kafka})
 * in a child JVM started from the jars on this classpath, combined broker and controller, on free
 * ports, with its data under one directory. Used by the local demo and the tests; {@link #close}
 * stops every node cleanly (SIGTERM, then a forced kill after a timeout) and removes temporary data.
 */
public final class EmbeddedKafka implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedKafka.class);

    private final Path dataDir;
    private final boolean temporary;
    private final List<Node> nodes;
    /** Kills the child brokers if this JVM exits without close(), so no broker outlives its test. */
    private final Thread reaper = new Thread(() -> nodesForReaper().forEach(n -> n.jvm().kill()),
            "embedded-kafka-reaper");

    private record Node(int id, int port, int controllerPort, Path dir, ChildJvm jvm) {
    }

    /**
     * A SASL_PLAINTEXT listener (mechanism PLAIN) instead of PLAINTEXT: only clients with these
     * credentials get in. Names and passwords are letters, digits, '-' and '_' (they go into JAAS text).
     */
    public record Sasl(String user, String password) {
        public Sasl {
            for (String s : new String[] {user, password}) {
                if (s == null || !s.matches("[A-Za-z0-9_-]{1,64}")) {
                    throw new IllegalArgumentException("SASL user and password must be 1-64 of [A-Za-z0-9_-]");
                }
            }
        }

        /** The client settings that authenticate as this user. */
        public ClientProperties clientSettings() {
            return ClientProperties.of(Map.of("security.protocol", "SASL_PLAINTEXT", "sasl.mechanism", "PLAIN",
                    "sasl.jaas.config", "org.apache.kafka.common.security.plain.PlainLoginModule required username=\""
                            + user + "\" password=\"" + password + "\";"));
        }
    }

    private final Sasl sasl;

    private EmbeddedKafka(Path dataDir, boolean temporary, List<Node> nodes, Sasl sasl) {
        this.dataDir = dataDir;
        this.temporary = temporary;
        this.nodes = nodes;
        this.sasl = sasl;
        Runtime.getRuntime().addShutdownHook(reaper);
    }

    private List<Node> nodesForReaper() {
        return nodes;
    }

    /** One node in a fresh temporary directory. */
    public static EmbeddedKafka start() {
        return start(1, null);
    }

    /**
     * Starts {@code nodeCount} nodes; {@code dataDir} null means a temporary directory that close()
     * deletes. Returns once the cluster answers an admin request with every broker registered.
     */
    public static EmbeddedKafka start(int nodeCount, Path dataDir) {
        return start(nodeCount, dataDir, null);
    }

    /** As {@link #start(int, Path)}; with {@code sasl}, clients must authenticate as its user. */
    public static EmbeddedKafka start(int nodeCount, Path dataDir, Sasl sasl) {
        if (nodeCount < 1) {
            throw new IllegalArgumentException("need at least one node, got " + nodeCount);
        }
        try {
            boolean temporary = dataDir == null;
            Path dir = temporary ? Files.createTempDirectory("streamnet-kafka-") : Files.createDirectories(dataDir);
            int[] ports = FreePorts.several(2 * nodeCount);
            String voters = java.util.stream.IntStream.range(0, nodeCount)
                    .mapToObj(i -> (i + 1) + "@127.0.0.1:" + ports[2 * i + 1]).collect(Collectors.joining(","));
            String clusterId = Uuid.randomUuid().toString();
            List<Node> nodes = new ArrayList<>();
            EmbeddedKafka cluster = new EmbeddedKafka(dir, temporary, nodes, sasl);
            try {
                for (int i = 0; i < nodeCount; i++) {
                    Path nodeDir = Files.createDirectories(dir.resolve("node-" + (i + 1)));
                    Path props = writeProperties(nodeDir, i + 1, ports[2 * i], ports[2 * i + 1], voters, nodeCount,
                            sasl);
                    format(nodeDir, props, clusterId);
                    ChildJvm jvm = java(i + 1, nodeDir, "kafka.Kafka", props.toString());
                    nodes.add(new Node(i + 1, ports[2 * i], ports[2 * i + 1], nodeDir, jvm));
                }
                cluster.awaitReady(nodeCount, Duration.ofSeconds(90));
            } catch (RuntimeException | IOException e) {
                // Keep the directory: its server.log files say why.
                cluster.stop(false);
                throw new IllegalStateException("embedded Kafka failed to start (logs kept in " + dir + "): "
                        + e.getMessage(), e);
            }
            LOG.info("embedded Kafka ({} node{}) ready at {} (data {})", nodeCount, nodeCount == 1 ? "" : "s",
                    cluster.bootstrapServers(), dir);
            return cluster;
        } catch (IOException e) {
            throw new UncheckedIOException("could not start embedded Kafka", e);
        }
    }

    /**
     * Kills node {@code id} (1-based) with SIGKILL, as a crash would: no controlled shutdown, its
     * leaderships move only when the controller notices. Its data stay for {@link #restartNode}.
     */
    public synchronized void killNode(int id) throws InterruptedException {
        Node n = node(id);
        n.jvm().killAndWait();
        LOG.info("killed Kafka node {} (pid {}) with SIGKILL", id, n.jvm().pid());
    }

    /** Starts a killed node again from its data and waits until the cluster counts every broker. */
    public synchronized void restartNode(int id) {
        Node n = node(id);
        if (n.jvm().isAlive()) {
            throw new IllegalStateException("Kafka node " + id + " is running");
        }
        try {
            ChildJvm jvm = java(n.id(), n.dir(), "kafka.Kafka", n.dir().resolve("server.properties").toString());
            nodes.set(nodes.indexOf(n), new Node(n.id(), n.port(), n.controllerPort(), n.dir(), jvm));
        } catch (IOException e) {
            throw new UncheckedIOException("could not restart Kafka node " + id, e);
        }
        awaitReady(nodes.size(), Duration.ofSeconds(90));
        LOG.info("Kafka node {} restarted", id);
    }

    private Node node(int id) {
        return nodes.stream().filter(n -> n.id() == id).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no Kafka node " + id));
    }

    public String bootstrapServers() {
        return nodes.stream().map(n -> "127.0.0.1:" + n.port()).collect(Collectors.joining(","));
    }

    public int size() {
        return nodes.size();
    }

    public Path dataDir() {
        return dataDir;
    }

    /** Client properties that reach this cluster (with the credentials when it requires them). */
    public Properties clientProperties() {
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        return credentials().over(p);
    }

    /** The client settings this cluster requires beyond its address: none, or its SASL user's. */
    public ClientProperties credentials() {
        return sasl == null ? ClientProperties.NONE : sasl.clientSettings();
    }

    private void awaitReady(int brokers, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        Exception last = null;
        Properties p = clientProperties();
        p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "3000");
        p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "5000");
        try (Admin admin = Admin.create(p)) {
            while (System.nanoTime() < deadline) {
                for (Node n : nodes) {
                    if (!n.jvm().isAlive()) {
                        throw new IllegalStateException("Kafka node " + n.id() + " exited with " + n.jvm().exitValue()
                                + "; see " + n.dir().resolve("server.log"));
                    }
                }
                try {
                    int seen = admin.describeCluster().nodes().get(5, TimeUnit.SECONDS).size();
                    if (seen == brokers) {
                        return;
                    }
                } catch (Exception e) {
                    last = e;
                }
                sleep(200);
            }
        }
        throw new IllegalStateException("embedded Kafka not ready within " + timeout + ": " + last);
    }

    @Override
    public void close() {
        stop(temporary);
    }

    private void stop(boolean deleteData) {
        try {
            Runtime.getRuntime().removeShutdownHook(reaper);
        } catch (IllegalStateException e) {
            // Already shutting down: the hook runs anyway.
        }
        for (ChildJvm killed : ChildJvm.stopAll(nodes.stream().map(Node::jvm).toList(), Duration.ofSeconds(30))) {
            LOG.warn("{} did not stop in 30 s; killed it", killed.name());
        }
        if (deleteData) {
            deleteTree(dataDir);
        }
    }

    // ---- helpers ----

    private static Path writeProperties(Path nodeDir, int id, int port, int controllerPort, String voters, int nodes,
                                        Sasl sasl) throws IOException {
        int rf = Math.min(3, nodes);
        Map<String, String> c = new java.util.LinkedHashMap<>();
        c.put("process.roles", "broker,controller");
        c.put("node.id", Integer.toString(id));
        String listener = sasl == null ? "PLAINTEXT" : "SASL_PLAINTEXT";
        c.put("listeners", listener + "://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controllerPort);
        c.put("advertised.listeners", listener + "://127.0.0.1:" + port);
        c.put("controller.listener.names", "CONTROLLER");
        c.put("inter.broker.listener.name", listener);
        c.put("listener.security.protocol.map", listener + ":" + listener + ",CONTROLLER:PLAINTEXT");
        if (sasl != null) {
            c.put("sasl.enabled.mechanisms", "PLAIN");
            c.put("sasl.mechanism.inter.broker.protocol", "PLAIN");
            c.put("listener.name.sasl_plaintext.plain.sasl.jaas.config",
                    "org.apache.kafka.common.security.plain.PlainLoginModule required username=\"" + sasl.user()
                            + "\" password=\"" + sasl.password() + "\" user_" + sasl.user() + "=\"" + sasl.password()
                            + "\";");
        }
        c.put("controller.quorum.voters", voters);
        c.put("log.dirs", nodeDir.resolve("logs").toString());
        c.put("num.partitions", "1");
        c.put("default.replication.factor", Integer.toString(rf));
        c.put("offsets.topic.replication.factor", Integer.toString(rf));
        c.put("transaction.state.log.replication.factor", Integer.toString(rf));
        // With 3 replicas an acknowledged write survives the loss of any one broker; a single node can only ask 1.
        String minIsr = nodes >= 3 ? "2" : "1";
        c.put("transaction.state.log.min.isr", minIsr);
        c.put("min.insync.replicas", minIsr);
        c.put("group.initial.rebalance.delay.ms", "0");
        // Flink's exactly-once sink opens transactions that may stay open for a checkpoint interval or more.
        c.put("transaction.max.timeout.ms", "900000");
        c.put("auto.create.topics.enable", "false");
        c.put("offsets.topic.num.partitions", "4");
        c.put("log.segment.bytes", Integer.toString(16 << 20));
        String text = c.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue())
                .collect(Collectors.joining("\n", "", "\n"));
        Path file = nodeDir.resolve("server.properties");
        Files.writeString(file, text, StandardCharsets.UTF_8);
        return file;
    }

    private static void format(Path nodeDir, Path props, String clusterId) throws IOException {
        ChildJvm p = java(0, nodeDir, "kafka.tools.StorageTool", "format", "-t", clusterId, "-c", props.toString(),
                "--ignore-formatted");
        try {
            if (!p.awaitExit(Duration.ofSeconds(60)) || p.exitValue() != 0) {
                p.kill();
                throw new IllegalStateException("formatting Kafka storage failed; see " + nodeDir.resolve("server.log"));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while formatting Kafka storage", e);
        }
    }

    /** Kafka's {@code mainClass} in a JVM of its own (node {@code id}; 0 for a tool), logging to server.log. */
    private static ChildJvm java(int id, Path nodeDir, String mainClass, String... args) throws IOException {
        return ChildJvm.start(id == 0 ? "Kafka " + mainClass : "Kafka node " + id,
                List.of("-Xmx512m", "-XX:+UseSerialGC", "-Djava.io.tmpdir=" + nodeDir), ChildJvm.thisClasspath(),
                mainClass, List.of(args), nodeDir.resolve("server.log"));
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    private static void deleteTree(Path dir) {
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            LOG.warn("could not delete {}: {}", dir, e.toString());
        }
    }
}
