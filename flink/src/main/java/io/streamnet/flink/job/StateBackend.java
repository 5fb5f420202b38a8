package io.streamnet.flink.job;

/**
 * Where keyed state lives: on the heap (fast; every key in memory, each checkpoint full) or in
 * RocksDB on local disk (key counts beyond memory; incremental checkpoints then upload only the
 * files changed since the last one). Named as Flink's {@code state.backend.type} names them.
 */
public enum StateBackend {
    HASHMAP("hashmap"), ROCKSDB("rocksdb");

    public final String flinkName;

    StateBackend(String flinkName) {
        this.flinkName = flinkName;
    }
}
