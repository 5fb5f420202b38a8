package io.streamnet.serving.event;

/**
 * What every decoded input event carries besides its payload: where it came from (for its dead
 * letter) and when it entered the pipeline (for the latency its prediction reports). Public
 * fields, so that Flink serializes the events as POJOs (not Kryo).
 */
public class SourcedEvent {
    /** Kafka timestamp of the input record; predictions report latency from it. */
    public long ingestTime;
    public String sourceTopic;
    public int sourcePartition;
    public long sourceOffset;

    /** Records where this event came from; returns it. */
    public SourcedEvent from(String topic, int partition, long offset, long timestamp) {
        sourceTopic = topic;
        sourcePartition = partition;
        sourceOffset = offset;
        ingestTime = timestamp;
        return this;
    }
}
