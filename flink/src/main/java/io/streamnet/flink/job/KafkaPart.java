package io.streamnet.flink.job;

import io.streamnet.contract.ClientProperties;
import io.streamnet.serving.wire.WireFormat;
import java.io.Serializable;
import java.time.Duration;

/**
 * Where a job reads and writes: the brokers and the user's client settings (SASL, SSL, given to
 * every source and sink), its topics and their wire formats, its consumer group and transactional
 * ids, where it starts reading and whether it stops, and how its sinks deliver.
 *
 * @param fromEarliest       where a job without a checkpoint starts reading its input
 * @param bounded            stop once the input offsets that existed at start are consumed (tests, benchmarks, replays)
 * @param transactionTimeout must stay below the broker's transaction.max.timeout.ms (15 min by default)
 */
public record KafkaPart(String bootstrapServers, ClientProperties client, String inputTopic, WireFormat inputFormat,
                        String predictionsTopic, WireFormat outputFormat, String deadLetterTopic,
                        String modelUpdatesTopic, String groupId, String transactionalIdPrefix, boolean fromEarliest,
                        boolean bounded, Delivery delivery, Duration transactionTimeout) implements Serializable {
}
