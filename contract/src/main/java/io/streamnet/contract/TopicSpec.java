package io.streamnet.contract;

import java.util.Map;

/** A topic the pipeline needs: partitions, replication and topic-level configs (retention, cleanup). */
public record TopicSpec(String name, int partitions, short replication, Map<String, String> configs) {
    public TopicSpec {
        if (name == null || name.isBlank() || partitions < 1 || replication < 1) {
            throw new IllegalArgumentException("invalid topic spec " + name + " p=" + partitions + " rf=" + replication);
        }
        configs = Map.copyOf(configs);
    }
}
