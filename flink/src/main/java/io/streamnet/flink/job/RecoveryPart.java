package io.streamnet.flink.job;

import java.io.Serializable;
import java.time.Duration;

/**
 * How a job survives failures: checkpoints (how often, where, in which state backend, kept on
 * cancellation or not), what it restores from, and how often it restarts.
 *
 * @param checkpointDir          a file system URI; keyed state outgrows the JobManager's in-memory checkpoint limit
 *                               (5 MB) at a few thousand keys: 10k LSTM-256 keys hold 20 MB
 * @param incrementalCheckpoints RocksDB only: a checkpoint uploads the SST files new since the previous one
 * @param retainCheckpoints      keep the last checkpoint when the job is cancelled, as when its process dies
 * @param restorePath            a retained checkpoint or a savepoint to start from (its directory or
 *                               {@code _metadata}); null: a fresh start
 * @param claimRestore           the job takes ownership of {@code restorePath} (a retained checkpoint of its own,
 *                               deleted once newer ones subsume it); otherwise it is left as it is (a savepoint)
 * @param restartAttempts        an unexpected failure (a broker outage) restarts the job with growing delays, at most
 *                               this many times in a row; no record can cause one (they become dead letters), so a
 *                               job that keeps failing has a cause worth stopping for
 */
public record RecoveryPart(Duration checkpointInterval, String checkpointDir, StateBackend stateBackend,
                           boolean incrementalCheckpoints, boolean retainCheckpoints, String restorePath,
                           boolean claimRestore, int restartAttempts, Duration restartInitialBackoff,
                           Duration restartMaxBackoff) implements Serializable {
}
