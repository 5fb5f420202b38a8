package io.streamnet.flink.sink;

import io.streamnet.flink.job.Delivery;
import io.streamnet.contract.ClientProperties;
import io.streamnet.serving.wire.WireFormat;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.function.Function;
import org.apache.avro.specific.SpecificRecord;
import org.apache.flink.api.common.serialization.SerializationSchema;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.flink.connector.kafka.sink.KafkaSink;

/** Kafka sinks for the pipeline's Avro records, with the delivery guarantee the job asks for. */
public final class KafkaSinks {
    private KafkaSinks() {
    }

    /**
     * @param key            the record key (null for none); must be a serializable function
     * @param transactionalIdPrefix unique per sink and job (EXACTLY_ONCE): two writers sharing one fence each other
     */
    public static <T extends SpecificRecord> KafkaSink<T> of(String bootstrap, String topic, Class<T> type,
                                                              WireFormat format, KeyOf<T> key, Delivery delivery,
                                                              String transactionalIdPrefix, Duration transactionTimeout,
                                                              ClientProperties client) {
        var serializer = KafkaRecordSerializationSchema.<T>builder().setTopic(topic)
                .setValueSerializationSchema(new RecordValueSchema<>(type, format));
        if (key != null) {
            serializer.setKeySerializationSchema((SerializationSchema<T>) r -> {
                String k = key.apply(r);
                return k == null ? null : k.getBytes(StandardCharsets.UTF_8);
            });
        }
        var b = KafkaSink.<T>builder().setBootstrapServers(bootstrap).setRecordSerializer(serializer.build())
                .setProperty("max.request.size", Integer.toString(8 << 20));
        if (delivery == Delivery.EXACTLY_ONCE) {
            b.setDeliveryGuarantee(DeliveryGuarantee.EXACTLY_ONCE).setTransactionalIdPrefix(transactionalIdPrefix)
                    .setProperty("transaction.timeout.ms", Long.toString(transactionTimeout.toMillis()));
        } else {
            b.setDeliveryGuarantee(DeliveryGuarantee.AT_LEAST_ONCE);
        }
        client.asMap().forEach(b::setProperty); // the user's (security) settings win
        return b.build();
    }

    /** A serializable key extractor. */
    @FunctionalInterface
    public interface KeyOf<T> extends Function<T, String>, java.io.Serializable {
    }
}
