package io.streamnet.kafka.streams;

import io.streamnet.rnn.state.StateCodec;
import io.streamnet.schemas.DeadLetter;
import io.streamnet.schemas.Prediction;
import io.streamnet.serving.model.ModelSlot;
import io.streamnet.serving.model.ModelUpdates;
import io.streamnet.serving.model.ServedSequenceModel;
import io.streamnet.serving.output.DeadLetters;
import io.streamnet.serving.reject.InputLimits;
import io.streamnet.serving.reject.RejectReason;
import io.streamnet.serving.reject.Rejected;
import io.streamnet.serving.sequence.InputKind;
import io.streamnet.serving.sequence.SequenceDecoder;
import io.streamnet.serving.sequence.SequenceEvent;
import io.streamnet.serving.sequence.SequenceInput;
import io.streamnet.serving.sequence.SequenceModelKind;
import io.streamnet.serving.sequence.SequenceStepper;
import io.streamnet.serving.wire.Codecs;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Per-key sequence inference on Kafka Streams: the serving core's decoder, input checks, stepper
 * and output modes on one record at a time; the key's state lives in a persistent, changelogged
 * store as {@link StateCodec} bytes. Anything it cannot use goes to the dead-letter child with a
 * reason and the raw bytes. Newer models come from the global model-updates store, checked every
 * {@link #MODEL_POLL}, through the same {@link ModelSlot} rules as in Flink: ignored, refused (a
 * dead letter, sent once, by the task of partition 0; the old model serves) or swapped in. The
 * swapped-in model is kept in the task's changelogged serving store, so a restarted task serves
 * what it served (as Flink's broadcast state does). A key whose stored state the new model cannot
 * read starts afresh when it is next read ({@link StateCodec} records the layout).
 */
final class RnnInferenceProcessor implements Processor<String, byte[], String, Object> {
    private static final Logger LOG = LoggerFactory.getLogger(RnnInferenceProcessor.class);

    static final Duration MODEL_POLL = Duration.ofSeconds(1);
    private static final String CHECKPOINT = "checkpoint";
    private static final String ID = "id";
    private static final String VERSION = "version";
    /** The signature of the update that made the serving model (empty: none), checked again on restore. */
    private static final String SIGNATURE = "signature";
    private static final String REFUSED = "refused-sha256";

    private final ServedSequenceModel first;
    private final StreamsAppConfig config;
    private final SequenceDecoder decoder;
    private ProcessorContext<String, Object> context;
    private KeyValueStore<String, byte[]> store;
    private KeyValueStore<String, byte[]> meta;
    private KeyValueStore<String, byte[]> updates;
    private KeyValueStore<String, byte[]> servingStore;
    private SequenceModelKind kind;
    private ModelSlot<ServedSequenceModel> slot;
    private byte[] lastOffered;
    private byte[] lastBest;
    /** The update that made the last swap, for its dead letter if it fails in service. */
    private byte[] lastSwapped;
    private ServedSequenceModel served;
    private SequenceStepper stepper;
    private long stateResets;

    RnnInferenceProcessor(ServedSequenceModel first, StreamsAppConfig config) {
        this.first = first;
        this.config = config;
        this.decoder = new SequenceDecoder(first.model().config().tokenInput() ? InputKind.TEXT : InputKind.STEP,
                config.inputFormat(), Codecs.DEFAULT_MAX_BYTES, InputLimits.DEFAULTS);
    }

    @Override
    public void init(ProcessorContext<String, Object> context) {
        this.context = context;
        this.store = context.getStateStore(RnnTopology.STATE_STORE);
        this.meta = context.getStateStore(RnnTopology.KEY_META_STORE);
        this.kind = new SequenceModelKind(config.mode(), config.forecastSteps());
        this.slot = new ModelSlot<>(kind, ModelUpdates.DEFAULT_MAX_BYTES, config.trustedKey());
        if (config.stateTtl() != null) {
            long every = Math.max(1000, Math.min(60_000, config.stateTtl().toMillis() / 4));
            context.schedule(Duration.ofMillis(every), PunctuationType.WALL_CLOCK_TIME, this::expireIdleKeys);
        }
        if (config.modelUpdatesTopic() == null) {
            serve(slot.open(first));
            return;
        }
        this.updates = context.getStateStore(RnnTopology.MODEL_STORE);
        this.servingStore = context.getStateStore(RnnTopology.SERVING_STORE);
        ServedSequenceModel restored = restored();
        serve(restored != null ? restored : slot.open(first));
        // Updates are followed from punctuations: a refusal's dead letter needs a forwarding context.
        context.schedule(MODEL_POLL, PunctuationType.WALL_CLOCK_TIME, t -> followUpdates());
    }

    /**
     * The model this task served when it stopped, if the slot may still trust it (with a trusted
     * key: its signature, kept in the store, verifies); null: serve the first one.
     */
    private ServedSequenceModel restored() {
        byte[] checkpoint = servingStore.get(CHECKPOINT);
        if (checkpoint == null) {
            return null;
        }
        try {
            ServedSequenceModel m = slot.restore(checkpoint,
                    new String(servingStore.get(ID), StandardCharsets.UTF_8),
                    Long.parseLong(new String(servingStore.get(VERSION), StandardCharsets.UTF_8)),
                    servingStore.get(SIGNATURE));
            if (m != null) {
                LOG.info("restored serving model {}", m);
            }
            return m;
        } catch (RuntimeException e) { // its id or version unreadable: the slot judges the rest
            LOG.error("the serving store's model does not load; serving {} instead", first, e);
            return null;
        }
    }

    /** One reusable single-key workspace per model: stepping an event's tokens allocates nothing per token. */
    private void serve(ServedSequenceModel m) {
        served = m;
        if (stepper != null) {
            stepper.close(); // what the old model's rounds held on a device goes with it
        }
        stepper = SequenceStepper.placed(m, config.mode(), config.forecastSteps(), 1);
    }

    /**
     * Offers the serving model id's highest verified version, then the update that arrived last (for
     * its verdict, a dead letter when refused), each once.
     */
    private void followUpdates() {
        String id = served.modelId();
        byte[] best = updates.get(ModelUpdateStore.bestKey(id));
        if (best != null && !Arrays.equals(best, lastBest)) {
            lastBest = best;
            offer(best);
        }
        byte[] latest = updates.get(ModelUpdateStore.latestKey(id));
        if (latest != null && !Arrays.equals(latest, lastOffered) && !Arrays.equals(latest, best)) {
            offer(latest);
        }
    }

    private void offer(byte[] raw) {
        lastOffered = raw;
        ModelSlot.Offer<ServedSequenceModel> offer = slot.offer(raw);
        if (offer instanceof ModelSlot.Swapped<ServedSequenceModel> s) {
            lastSwapped = raw;
            LOG.info("model swapped: {} -> {}{}", s.old(), s.next(),
                    s.resetState() ? "; state shape changed, keys start afresh as they are read" : "");
            servingStore.put(CHECKPOINT, s.next().checkpoint());
            servingStore.put(ID, s.next().modelId().getBytes(StandardCharsets.UTF_8));
            servingStore.put(VERSION, Long.toString(s.next().version()).getBytes(StandardCharsets.UTF_8));
            servingStore.put(SIGNATURE, signatureOfServing());
            serve(s.next());
        } else if (offer instanceof ModelSlot.Refused<ServedSequenceModel> r && reportsRefusals()) {
            byte[] sum = ModelUpdates.sha256(raw).getBytes(StandardCharsets.UTF_8);
            if (!Arrays.equals(sum, servingStore.get(REFUSED))) { // not again after a restart
                servingStore.put(REFUSED, sum);
                reportUpdate(r.reason(), r.detail(), raw);
            }
        }
    }

    private byte[] signatureOfServing() {
        byte[] sig = slot.currentSignature();
        return sig == null ? new byte[0] : sig;
    }

    private void reportUpdate(RejectReason reason, String detail, byte[] raw) {
        DeadLetter d = DeadLetters.of(config.modelUpdatesTopic(), -1, -1, reason, detail, raw);
        context.forward(new Record<String, Object>(served.modelId(), d, System.currentTimeMillis()),
                RnnTopology.DEAD_LETTER_SINK);
    }

    /**
     * The serving model failed on live input: if an update swapped it in, the model it replaced
     * serves again (kept in the serving store), and this task dead-letters the update as
     * FAILED_IN_SERVICE (each task serves, and rolls back, on its own).
     */
    private void rollBackIfSwapped(String why) {
        ModelSlot.Swapped<ServedSequenceModel> back = slot.rollBack(why);
        if (back == null) {
            return;
        }
        if (servingStore != null) {
            servingStore.put(CHECKPOINT, back.next().checkpoint());
            servingStore.put(ID, back.next().modelId().getBytes(StandardCharsets.UTF_8));
            servingStore.put(VERSION, Long.toString(back.next().version()).getBytes(StandardCharsets.UTF_8));
            servingStore.put(SIGNATURE, signatureOfServing());
        }
        serve(back.next());
        reportUpdate(RejectReason.FAILED_IN_SERVICE, "model " + back.old() + " failed on live input in task "
                + context.taskId() + " (" + why + "); rolled back to " + back.next(), lastSwapped == null ? new byte[0]
                : lastSwapped);
    }

    /** Drops the state of keys not written for the state TTL (a full pass over the key-meta store). */
    private void expireIdleKeys(long now) {
        long cutoff = now - config.stateTtl().toMillis();
        List<String> idle = new ArrayList<>();
        try (KeyValueIterator<String, byte[]> it = meta.all()) {
            while (it.hasNext()) {
                var kv = it.next();
                KeyMeta m = KeyMeta.decode(kv.value);
                if (m == null || m.writtenAt() < cutoff) {
                    idle.add(kv.key);
                }
            }
        }
        for (String key : idle) {
            store.delete(key);
            meta.delete(key);
        }
        if (!idle.isEmpty()) {
            LOG.debug("expired the state of {} keys idle for {}", idle.size(), config.stateTtl());
        }
    }

    /** Every task sees every update: one of them reports the refused ones. */
    private boolean reportsRefusals() {
        return context.taskId().partition() == 0;
    }

    @Override
    public void process(Record<String, byte[]> record) {
        SequenceEvent e;
        SequenceInput in;
        try {
            e = decoder.decode(record.value());
            // The record key places the state (no repartition here): it must be the event's key.
            SequenceDecoder.requireSameKey(record.key(), e.key, true);
            e.ingestTime = record.timestamp(); // the latency predictions report
            in = SequenceInput.of(e, served, config.maxStepsPerEvent());
        } catch (Rejected why) {
            deadLetter(record, why.reason(), why.detail());
            return;
        }
        KeyMeta m = KeyMeta.decode(meta.get(e.key));
        try {
            config.order().check(e.key, m == null ? null : m.lastSeq(), e.seq);
        } catch (Rejected why) {
            deadLetter(record, why.reason(), why.detail());
            return;
        }
        float[] stored = load(e.key);
        if (in.steps() == 0) {
            closeWithoutStep(record, e, stored);
            return;
        }
        Prediction p;
        try {
            stepper.loadState(0, stored);
            for (int i = 0; i < in.steps(); i++) {
                stepper.loadInput(0, in, i);
                if (stepper.run(1) > 0) {
                    modelFailed(record, e, stepper.failure(0));
                    return;
                }
                stepper.carry(0);
            }
            p = stepper.completed(0, e);
        } catch (RuntimeException ex) {
            // One record the model cannot take must not stop the stream thread (and be re-read forever).
            modelFailed(record, e, ex.toString());
            return;
        }
        if (p != null) {
            forward(record, p);
        }
        if (e.end) {
            store.delete(e.key);
            meta.delete(e.key);
        } else {
            store.put(e.key, StateCodec.encode(stepper.rnnState(0)));
            meta.put(e.key, new KeyMeta(e.seq, context.currentSystemTimeMs()).encode()); // the clock punctuations see
        }
    }

    private void modelFailed(Record<String, byte[]> record, SequenceEvent e, String why) {
        LOG.error("model {} failed on key {}: {}", served, e.key, why);
        deadLetter(record, RejectReason.MODEL_ERROR, "model " + served + ": " + why);
        rollBackIfSwapped(why);
    }

    /** The task is closing: what the stepper holds on a device goes with it. */
    @Override
    public void close() {
        if (stepper != null) {
            stepper.close();
        }
    }

    private void closeWithoutStep(Record<String, byte[]> record, SequenceEvent e, float[] stored) {
        try {
            Prediction p = stepper.closeWithoutStep(e, stored);
            if (p != null) {
                forward(record, p);
            }
        } catch (Rejected why) {
            deadLetter(record, why.reason(), why.detail());
        } catch (RuntimeException ex) {
            modelFailed(record, e, "closing the sequence: " + ex);
        }
        store.delete(e.key);
        meta.delete(e.key);
    }

    /** The key's stored state, or null: none, or written for another model shape (then it starts afresh). */
    private float[] load(String key) {
        byte[] bytes = store.get(key);
        if (bytes == null) {
            return null;
        }
        try {
            return StateCodec.decode(bytes, served.model().stateLayout()).values();
        } catch (StateCodec.IncompatibleStateException ex) {
            stateResets++;
            LOG.warn("state of key {} was written for another model shape; starting it afresh ({} resets so far): {}",
                    key, stateResets, ex.getMessage());
            return null;
        }
    }

    private void forward(Record<String, byte[]> record, Prediction p) {
        context.forward(new Record<String, Object>(p.getKey().toString(), p, record.timestamp()),
                RnnTopology.PREDICTIONS_SINK);
    }

    private void deadLetter(Record<String, byte[]> record, RejectReason reason, String detail) {
        RecordMetadata md = context.recordMetadata().orElse(null);
        DeadLetter d = DeadLetters.of(md == null ? config.inputTopic() : md.topic(), md == null ? -1 : md.partition(),
                md == null ? -1 : md.offset(), reason, detail, record.value());
        context.forward(new Record<String, Object>(DeadLetters.key(record.key()), d, record.timestamp()),
                RnnTopology.DEAD_LETTER_SINK);
    }
}
