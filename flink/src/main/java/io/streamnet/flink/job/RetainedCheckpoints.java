package io.streamnet.flink.job;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Comparator;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The checkpoints a job left in its checkpoint directory ({@code DIR/<job id>/chk-<n>/_metadata},
 * Flink's layout): a checkpoint is complete once its {@code _metadata} exists (Flink writes it
 * last, under a temporary name it renames), so a process killed mid-checkpoint leaves none
 * that looks complete.
 */
public final class RetainedCheckpoints {
    static final String METADATA = "_metadata";

    private RetainedCheckpoints() {
    }

    /** A completed checkpoint: its directory (what Flink restores from) and when it completed. */
    public record Retained(Path directory, long id, FileTime completed) {
    }

    /** The newest completed checkpoint under {@code dir}, of any job that wrote there; empty when none. */
    public static Optional<Retained> latest(Path dir) {
        if (!Files.isDirectory(dir)) {
            return Optional.empty();
        }
        try (Stream<Path> jobs = Files.list(dir)) {
            return jobs.filter(Files::isDirectory).flatMap(RetainedCheckpoints::completed)
                    .max(Comparator.comparing(Retained::completed).thenComparingLong(Retained::id));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read checkpoint directory " + dir, e);
        }
    }

    private static Stream<Retained> completed(Path jobDir) {
        try (Stream<Path> children = Files.list(jobDir)) {
            return children.filter(p -> p.getFileName().toString().matches("chk-\\d+"))
                    .filter(p -> Files.isRegularFile(p.resolve(METADATA)))
                    .map(p -> {
                        try {
                            return new Retained(p, Long.parseLong(p.getFileName().toString().substring(4)),
                                    Files.getLastModifiedTime(p.resolve(METADATA)));
                        } catch (IOException e) {
                            throw new UncheckedIOException(e);
                        }
                    }).toList().stream();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + jobDir, e);
        }
    }
}
