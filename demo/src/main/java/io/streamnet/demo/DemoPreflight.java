package io.streamnet.demo;

import io.streamnet.datasets.DatasetLocator;
import io.streamnet.rnn.data.LabelledSentence;
import io.streamnet.rnn.data.SentimentDataset;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.function.Supplier;

/**
 * What the demo needs, checked before it starts or trains anything: the sentiment sentences,
 * Fashion-MNIST (with cameras), each model file (readable if it is there, else a directory it can
 * be written to, since it will be trained) and the ports it listens on. Every problem is collected,
 * so that one run names them all, and each names the input and how to fix it. Without this, a
 * missing dataset surfaced only after minutes of training the models that come before it.
 */
public final class DemoPreflight {
    /**
     * A download of Fashion-MNIST is given this long to connect: a machine without network fails
     * in seconds (the locator's default is 20 s); a reachable S3 endpoint connects well within it.
     */
    static final Duration DOWNLOAD_CONNECT_TIMEOUT = Duration.ofSeconds(3);

    /** Where the datasets are found; tests pass their own. */
    public record Sources(Callable<Path> sentiment, Supplier<DatasetLocator> fashionMnist) {
        /**
         * The sentences where {@link SentimentDataset#locate()} finds them; Fashion-MNIST where the
         * configured locator does, a download given {@link DemoPreflight#DOWNLOAD_CONNECT_TIMEOUT} to connect.
         */
        public static Sources standard() {
            return new Sources(SentimentDataset::locate, () -> DatasetLocator.builder()
                    .configuredDir(DatasetLocator.configuredDirFromSystem().orElse(null))
                    .connectTimeout(DOWNLOAD_CONNECT_TIMEOUT)
                    .build());
        }
    }

    /** Some inputs are missing or unusable; the message lists each, one per line. */
    static final class InputsMissing extends Exception {
        InputsMissing(String message) {
            super(message);
        }
    }

    private final Sources sources;
    private final List<String> problems = new ArrayList<>();
    private Path sentimentDir;
    private List<LabelledSentence> sentences = List.of();
    private Path fashionMnistDir;

    DemoPreflight(Sources sources) {
        this.sources = sources;
    }

    /** The sentiment sentences: found and read (2,550 lines, so reading them is as cheap as checking). */
    DemoPreflight sentiment() {
        try {
            Path dir = sources.sentiment().call();
            List<LabelledSentence> all = SentimentDataset.loadAll(dir);
            if (all.isEmpty()) {
                problems.add("sentiment sentences: " + dir + " holds no sentences");
            } else {
                sentimentDir = dir;
                sentences = all;
            }
        } catch (Exception e) {
            problems.add("sentiment sentences: " + e.getMessage());
        }
        return this;
    }

    /** Fashion-MNIST, for {@code why}; downloaded now if it must be, so not after training. */
    DemoPreflight fashionMnist(String why) {
        try {
            fashionMnistDir = sources.fashionMnist().get().locate();
        } catch (IOException e) {
            problems.add("Fashion-MNIST (" + why + "): " + e.getMessage());
        }
        return this;
    }

    /**
     * A model file the demo loads, or trains and writes there when it is missing (then its
     * directory must be writable, checked now rather than when training is done).
     */
    DemoPreflight modelFile(String what, Path file) {
        if (Files.exists(file)) {
            if (!Files.isRegularFile(file) || !Files.isReadable(file)) {
                problems.add(what + ": " + file + " is not a readable file");
            }
            return this;
        }
        Path dir = file.toAbsolutePath().getParent();
        try {
            Files.createDirectories(dir);
            if (!Files.isWritable(dir)) {
                problems.add(what + ": " + file + " is missing, so it will be trained, but " + dir + " is not writable");
            }
        } catch (IOException e) {
            problems.add(what + ": " + file + " is missing, so it will be trained, but " + dir
                    + " cannot be created (" + e + ")");
        }
        return this;
    }

    /** A port the demo listens on, on 127.0.0.1; 0 (any free one) and negative (off) need no check. */
    DemoPreflight port(String option, int port) {
        if (port <= 0) {
            return this;
        }
        try (ServerSocket s = new ServerSocket()) {
            s.setReuseAddress(true);
            s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
        } catch (IOException e) {
            problems.add(option + " " + port + ": 127.0.0.1:" + port + " is taken (" + e.getMessage()
                    + "); pass another port, or 0 for any free one");
        }
        return this;
    }

    /** Throws, naming every problem, unless all checks passed. */
    DemoPreflight verify() throws InputsMissing {
        if (!problems.isEmpty()) {
            StringBuilder sb = new StringBuilder("streamnet demo: cannot start; nothing was trained or started. ")
                    .append(problems.size() == 1 ? "1 input is" : problems.size() + " inputs are")
                    .append(" missing or unusable:");
            problems.forEach(p -> sb.append(System.lineSeparator()).append("  - ").append(p));
            throw new InputsMissing(sb.toString());
        }
        return this;
    }

    List<String> problems() {
        return List.copyOf(problems);
    }

    Path sentimentDir() {
        return sentimentDir;
    }

    List<LabelledSentence> sentences() {
        return sentences;
    }

    Path fashionMnistDir() {
        return fashionMnistDir;
    }
}
