package io.streamnet.flink.source;

/**
 * A Kafka record as it arrived, undecoded: decoding happens in the job (not in the source), so that
 * bytes that do not decode become dead letters with their coordinates instead of failing the source.
 * A plain public class with a no-argument constructor, so Flink serializes it as a POJO.
 */
public class RawRecord {
    public String topic;
    public int partition;
    public long offset;
    /** The record's Kafka timestamp: when the producer sent it (ingestion time for latency). */
    public long timestamp;
    public byte[] key;
    public byte[] value;

    public RawRecord() {
    }

    public RawRecord(String topic, int partition, long offset, long timestamp, byte[] key, byte[] value) {
        this.topic = topic;
        this.partition = partition;
        this.offset = offset;
        this.timestamp = timestamp;
        this.key = key;
        this.value = value;
    }
}
