package io.streamnet.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamnet.local.flink.LocalFlink;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;
import org.junit.jupiter.api.Test;

/**
 * The local cluster of {@code run} and {@code demo} exposes nothing beyond this machine: read from
 * the kernel's socket tables, every socket this JVM listens on is bound to 127.0.0.1, and the Web
 * UI takes no jar uploads.
 */
class LocalFlinkListenersTest {
    @Test
    void aRunningLocalJobListensOnLoopbackOnlyAndRefusesJarUploads() throws Exception {
        int webPort;
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            webPort = s.getLocalPort();
        }
        StreamExecutionEnvironment env = LocalFlink.withWebUi(webPort, 1, 0); // Prometheus metrics on, on a free port
        env.fromSequence(0, Long.MAX_VALUE).map(x -> x + 1).sinkTo(new DiscardingSink<>());
        JobClient job = env.executeAsync("listeners");
        try {
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (job.getJobStatus().get() != JobStatus.RUNNING && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            List<String> listening = listeningAddresses();
            System.out.println("listening sockets of this JVM: " + listening);

            assertThat(listening).isNotEmpty().allSatisfy(a -> assertThat(a).startsWith("127.0.0.1:"));
            assertThat(listening).contains("127.0.0.1:" + webPort);
            String metrics = LocalFlink.metricsUrl();
            assertThat(metrics).startsWith("http://127.0.0.1:");
            assertThat(listening).contains(metrics.substring("http://".length(), metrics.lastIndexOf('/')));
            HttpClient http = HttpClient.newHttpClient();
            String config = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + webPort + "/config"))
                    .build(), HttpResponse.BodyHandlers.ofString()).body();
            assertThat(config.replace(" ", "")).contains("\"web-submit\":false");
            int upload = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + webPort + "/jars/upload"))
                    .POST(HttpRequest.BodyPublishers.ofString("x")).build(), HttpResponse.BodyHandlers.ofString())
                    .statusCode();
            assertThat(upload).isIn(404, 405);
        } finally {
            job.cancel().get();
        }
    }

    @Test
    void theRestApiAllowsCrossOriginReadsByItsOwnOriginOnly() throws Exception {
        StreamExecutionEnvironment env = LocalFlink.withWebUi(0, 1); // a free port, chosen before the origin is set
        env.fromSequence(0, Long.MAX_VALUE).map(x -> x + 1).sinkTo(new DiscardingSink<>());
        JobClient job = env.executeAsync("cors");
        try {
            String own = env.getConfiguration().get(org.apache.flink.configuration.WebOptions.ACCESS_CONTROL_ALLOW_ORIGIN);
            assertThat(own).startsWith("http://127.0.0.1:").doesNotEndWith(":0");
            HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(own + "/config"))
                    .header("Origin", "http://attacker.example").build(), HttpResponse.BodyHandlers.ofString());

            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.headers().allValues("Access-Control-Allow-Origin")).containsExactly(own);
        } finally {
            job.cancel().get();
        }
    }

    /** host:port of every TCP socket in LISTEN state that this process holds (IPv4 and IPv6 tables). */
    static List<String> listeningAddresses() throws IOException {
        Set<String> inodes = new HashSet<>();
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            for (Path fd : (Iterable<Path>) fds::iterator) {
                try {
                    String target = Files.readSymbolicLink(fd).toString();
                    if (target.startsWith("socket:[")) {
                        inodes.add(target.substring(8, target.length() - 1));
                    }
                } catch (IOException e) {
                    // closed while listing
                }
            }
        }
        List<String> out = new ArrayList<>();
        for (String table : new String[] {"/proc/net/tcp", "/proc/net/tcp6"}) {
            List<String> lines = Files.readAllLines(Path.of(table));
            for (String line : lines.subList(1, lines.size())) {
                String[] f = line.trim().split("\\s+");
                if (f[3].equals("0A") && inodes.contains(f[9])) {
                    out.add(address(f[1]));
                }
            }
        }
        return out;
    }

    /** A /proc/net/tcp{,6} local address (little-endian hex words) as host:port; :: and 0.0.0.0 as "*". */
    static String address(String hex) {
        String[] hp = hex.split(":");
        int port = Integer.parseInt(hp[1], 16);
        String h = hp[0];
        if (h.length() == 32) {
            if (h.equals("00000000000000000000000000000000")) {
                return "*:" + port;
            }
            if (!h.startsWith("0000000000000000FFFF0000")) {
                return "[" + h + "]:" + port;
            }
            h = h.substring(24); // IPv4-mapped
        }
        long v = Long.parseLong(h, 16);
        String ip = (v & 0xff) + "." + ((v >> 8) & 0xff) + "." + ((v >> 16) & 0xff) + "." + ((v >> 24) & 0xff);
        return (ip.equals("0.0.0.0") ? "*" : ip) + ":" + port;
    }
}
