package io.streamnet.kafka.streams;

import io.streamnet.schemas.DeadLetter;
import io.streamnet.schemas.Prediction;
import io.streamnet.serving.model.ModelSlot;
import io.streamnet.serving.model.ModelUpdates;
import io.streamnet.serving.model.ServedSequenceModel;
import io.streamnet.serving.output.DeadLetters;
import io.streamnet.serving.reject.InputLimits;
import io.streamnet.serving.reject.Rejected;
import io.streamnet.serving.sequence.InputKind;
import io.streamnet.serving.sequence.SequenceDecoder;
import io.streamnet.serving.sequence.SequenceEvent;
import io.streamnet.serving.sequence.SequenceLifecycle;
import io.streamnet.serving.sequence.SequenceModelKind;
import io.streamnet.serving.wire.Codecs;
import java.time.Duration;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Per-key sequence inference on Kafka Streams, one record at a time: the serving core's decoder,
 * then its {@link SequenceLifecycle} over this task's stores ({@link KeyStores}) and on the model
 * the task serves ({@link TaskModel}). Predictions and dead letters (a reason and the raw bytes) go
 * to their sinks. Streams has no session gaps: a key's sequence ends at its end marker or with the
 * state TTL.
 */
final class RnnInferenceProcessor implements Processor<String, byte[], String, Object>, SequenceLifecycle.Outcomes {
    private static final Logger LOG = LoggerFactory.getLogger(RnnInferenceProcessor.class);

    static final Duration MODEL_POLL = Duration.ofSeconds(1);

    private final ServedSequenceModel first;
    private final StreamsAppConfig config;
    private final SequenceDecoder decoder;
    private ProcessorContext<String, Object> context;
    private SequenceLifecycle lifecycle;
    private TaskModel model;
    /** The record being processed: a dead letter carries its bytes and source. */
    private Record<String, byte[]> current;

    RnnInferenceProcessor(ServedSequenceModel first, StreamsAppConfig config) {
        this.first = first;
        this.config = config;
        this.decoder = new SequenceDecoder(first.model().config().tokenInput() ? InputKind.TEXT : InputKind.STEP,
                config.inputFormat(), Codecs.DEFAULT_MAX_BYTES, InputLimits.DEFAULTS);
    }

    @Override
    public void init(ProcessorContext<String, Object> context) {
        this.context = context;
        KeyStores keys = new KeyStores(context.getStateStore(RnnTopology.STATE_STORE),
                context.getStateStore(RnnTopology.KEY_META_STORE), () -> lifecycle.served().model().stateLayout(),
                context::currentSystemTimeMs);
        lifecycle = new SequenceLifecycle(new SequenceLifecycle.Settings(config.mode(), config.forecastSteps(),
                config.order(), config.maxStepsPerEvent(), 1), keys, this);
        if (config.stateTtl() != null) {
            long every = Math.max(1000, Math.min(60_000, config.stateTtl().toMillis() / 4));
            context.schedule(Duration.ofMillis(every), PunctuationType.WALL_CLOCK_TIME,
                    now -> keys.expireIdle(now, config.stateTtl()));
        }
        boolean follows = config.modelUpdatesTopic() != null;
        model = new TaskModel(new ModelSlot<>(new SequenceModelKind(config.mode(), config.forecastSteps()),
                ModelUpdates.DEFAULT_MAX_BYTES, config.trustedKey()), config.modelUpdatesTopic(),
                follows ? context.getStateStore(RnnTopology.MODEL_STORE) : null,
                follows ? context.getStateStore(RnnTopology.SERVING_STORE) : null, lifecycle::serve, this::reportUpdate,
                context.taskId().toString(), context.taskId().partition() == 0);
        model.start(first);
        if (follows) {
            // Updates are followed from punctuations: a refusal's dead letter needs a forwarding context.
            context.schedule(MODEL_POLL, PunctuationType.WALL_CLOCK_TIME, t -> model.followUpdates());
        }
    }

    @Override
    public void process(Record<String, byte[]> record) {
        current = record;
        SequenceEvent e;
        try {
            e = decoder.decode(record.value());
            // The record key places the state (no repartition here): it must be the event's key.
            SequenceDecoder.requireSameKey(record.key(), e.key, true);
        } catch (Rejected why) {
            deadLetter(null, why);
            return;
        }
        e.ingestTime = record.timestamp(); // the latency predictions report
        lifecycle.run(e);
    }

    /** The task is closing: what the stepper holds on a device goes with it. */
    @Override
    public void close() {
        if (lifecycle != null) {
            lifecycle.close();
        }
    }

    @Override
    public void emit(Prediction p) {
        context.forward(new Record<String, Object>(p.getKey().toString(), p, current.timestamp()),
                RnnTopology.PREDICTIONS_SINK);
    }

    @Override
    public void deadLetter(SequenceEvent e, Rejected why) {
        RecordMetadata md = context.recordMetadata().orElse(null);
        DeadLetter d = DeadLetters.of(md == null ? config.inputTopic() : md.topic(), md == null ? -1 : md.partition(),
                md == null ? -1 : md.offset(), why.reason(), why.detail(), current.value());
        context.forward(new Record<String, Object>(DeadLetters.key(current.key()), d, current.timestamp()),
                RnnTopology.DEAD_LETTER_SINK);
    }

    @Override
    public void closed(String key) {
        // no session-gap timers here
    }

    @Override
    public void armGap(SequenceEvent last) {
        // no session gaps here: the state TTL forgets idle keys
    }

    @Override
    public void failedInService(String why) {
        LOG.error("model {} failed on live input: {}", lifecycle.served(), why);
        model.failedInService(why);
    }

    private void reportUpdate(DeadLetter d) {
        context.forward(new Record<String, Object>(model.current().modelId(), d, System.currentTimeMillis()),
                RnnTopology.DEAD_LETTER_SINK);
    }
}
