package io.streamnet.flink.job;

/** Delivery guarantee of the prediction sink. */
public enum Delivery {
    /** Transactional Kafka writes committed on checkpoints: readers with read_committed see each prediction once. */
    EXACTLY_ONCE,
    /** Flushed on checkpoints, visible at once: lowest latency for dashboards, duplicates possible after a failure. */
    AT_LEAST_ONCE
}
