package io.streamnet.flink.job;

import java.io.Serializable;

/**
 * How a job's model operator batches.
 *
 * @param size          most records per batched step (B)
 * @param maxWaitMillis longest a record waits for its batch (T); 0 runs every record at once
 */
public record BatchingPart(int size, long maxWaitMillis) implements Serializable {
}
