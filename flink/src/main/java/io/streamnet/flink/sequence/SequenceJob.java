package io.streamnet.flink.sequence;

import io.streamnet.flink.job.KafkaJobs;
import io.streamnet.flink.operator.DeadLetterOutput;
import io.streamnet.flink.source.RawRecord;
import io.streamnet.schemas.DeadLetter;
import io.streamnet.schemas.Prediction;
import io.streamnet.serving.model.ServedSequenceModel;
import io.streamnet.serving.sequence.SequenceEvent;
import org.apache.flink.api.java.functions.KeySelector;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.KeyedStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * The sequence inference job: KafkaSource (TextEvent or StepEvent, Avro or JSON) -> decode and
 * validate (bad records to the dead-letter topic) -> keyBy(key) -> {@link SequenceOperator}
 * (model updates from the model-updates topic broadcast into it) -> KafkaSink of predictions.
 * Checkpointing is on; the sinks are transactional under EXACTLY_ONCE.
 */
public final class SequenceJob {
    public static final String NAME = "streamnet sequence inference";

    private SequenceJob() {
    }

    /** Adds the job's pipeline to {@code env}. */
    public static void build(StreamExecutionEnvironment env, SequenceJobConfig c, ServedSequenceModel initial) {
        if (initial == null) {
            throw new IllegalArgumentException("the sequence job needs a model to start with");
        }
        buildWith(env, c, keyed -> keyed.connect(KafkaJobs.modelUpdates(env, c).broadcast())
                .transform("rnn " + c.mode().name().toLowerCase() + " (batch " + c.batching().size() + ")",
                        new AvroTypeInfo<>(Prediction.class),
                        new SequenceOperator(initial.checkpoint(), initial.modelId(), initial.version(),
                                c.operatorConfig()))
                .uid(c.uidPrefix() + "rnn"));
    }

    /**
     * The job's shape (source, decode and validate, keyBy, sinks, dead letters) with {@code scorer}
     * in the model's place. The job itself is this shape with its {@link SequenceOperator}; the
     * benchmarks put a model-free stand-in there (the identity pipeline) and other libraries' keyed
     * inference (their peers), so that each is measured in the very pipeline ours runs in. Dead letters of
     * the scorer's stream (side output {@link DeadLetterOutput#TAG}) join the decoder's.
     */
    public static void buildWith(StreamExecutionEnvironment env, SequenceJobConfig c, Scorer scorer) {
        KafkaJobs.configure(env, c);
        DataStream<RawRecord> raw = KafkaJobs.input(env, c, "events");
        SingleOutputStreamOperator<SequenceEvent> decoded = raw
                .process(new DecodeEvents(c.inputKind(), c.kafka().inputFormat(), c.limits().maxRecordBytes(),
                        c.limits().input()))
                .name("decode + validate").uid(c.uidPrefix() + "decode");
        SingleOutputStreamOperator<Prediction> predictions = scorer.score(decoded.keyBy(new EventKey()));
        DataStream<DeadLetter> deadLetters = decoded.getSideOutput(DeadLetterOutput.TAG)
                .union(predictions.getSideOutput(DeadLetterOutput.TAG));
        KafkaJobs.sinks(c, predictions, deadLetters);
    }

    /** What scores the keyed events: one prediction per event or per sequence. */
    @FunctionalInterface
    public interface Scorer {
        SingleOutputStreamOperator<Prediction> score(KeyedStream<SequenceEvent, String> keyed);
    }

    /** The sequence key: state and order are per key. */
    public static final class EventKey implements KeySelector<SequenceEvent, String> {
        private static final long serialVersionUID = 1L;

        @Override
        public String getKey(SequenceEvent e) {
            return e.key;
        }
    }
}
