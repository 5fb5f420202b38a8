package io.streamnet.cli.jobs;

import io.streamnet.flink.job.KafkaJobConfigBuilder;
import io.streamnet.flink.job.RetainedCheckpoints;
import java.net.URI;
import java.nio.file.Path;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Option;

/**
 * Where {@code run} keeps its checkpoints and what it starts from: a stable directory per job and
 * group id (so that a job whose process died resumes where its last checkpoint left it), the newest
 * completed checkpoint there by default, {@code --fresh} for none, {@code --from-savepoint} for one
 * the user picks.
 */
public final class RecoveryOptions {
    private static final Logger LOG = LoggerFactory.getLogger(RecoveryOptions.class);

    @Option(names = "--fresh", description = "Start over: ignore the checkpoints an earlier run of this job and group id left.")
    public boolean fresh;

    @Option(names = "--from-savepoint", paramLabel = "PATH", description = "Start from this savepoint or retained checkpoint (its directory or _metadata).")
    public String fromSavepoint;

    /** The checkpoint directory of {@code job} run under {@code groupId} when none is given. */
    public static Path defaultDirectory(String job, String groupId) {
        return Path.of(System.getProperty("user.home"), ".cache", "streamnet", "checkpoints", job, groupId);
    }

    /**
     * Sets {@code b}'s checkpoint directory ({@code explicitDir}, else the default) and what it
     * restores from; returns the line that says which, for the user.
     */
    public String apply(String job, KafkaJobConfigBuilder<?, ?> b, String explicitDir) {
        if (fresh && fromSavepoint != null) {
            throw new IllegalArgumentException("--fresh and --from-savepoint exclude each other");
        }
        Path local = explicitDir == null ? defaultDirectory(job, b.groupId()) : localPath(explicitDir);
        // Flink wants a URI; a plain path (what users type) is a local one
        String checkpointDir = local != null ? local.toUri().toString() : explicitDir;
        b.checkpointDir(checkpointDir).retainCheckpoints(true);
        String said;
        if (fromSavepoint != null) {
            b.restoreFrom(fromSavepoint, false);
            said = "starting from " + fromSavepoint + " (given)";
        } else if (fresh) {
            said = "starting fresh (--fresh); checkpoints go to " + checkpointDir;
        } else if (local == null) {
            said = "starting fresh: " + explicitDir + " is not a local directory to look for retained checkpoints in "
                    + "(--from-savepoint picks one)";
        } else {
            Optional<RetainedCheckpoints.Retained> latest = RetainedCheckpoints.latest(local);
            if (latest.isPresent()) {
                // our own checkpoint: Flink may delete it once newer ones subsume it
                b.restoreFrom(latest.get().directory().toUri().toString(), true);
                said = "resuming from checkpoint " + latest.get().id() + " of an earlier run, " + latest.get().directory()
                        + " (completed " + latest.get().completed() + "; --fresh starts over)";
            } else {
                said = "starting fresh: no completed checkpoint in " + local;
            }
        }
        LOG.info(said);
        return said;
    }

    /** The local directory a path or file: URI names, or null for other file systems. */
    private static Path localPath(String dir) {
        if (!dir.contains("://") && !dir.startsWith("file:")) {
            return Path.of(dir).toAbsolutePath();
        }
        URI uri = URI.create(dir);
        return "file".equals(uri.getScheme()) ? Path.of(uri) : null;
    }
}
