package io.streamnet.kafka.streams;

import io.streamnet.engine.tensor.Tensor;
import io.streamnet.kafka.serde.DecodeException;
import io.streamnet.kafka.serde.RecordCodec;
import io.streamnet.rnn.model.SequenceModel;
import io.streamnet.rnn.state.RnnState;
import io.streamnet.rnn.state.StateBatch;
import io.streamnet.rnn.state.StateCodec;
import io.streamnet.rnn.text.Vocabulary;
import io.streamnet.schemas.DeadLetter;
import io.streamnet.schemas.Prediction;
import io.streamnet.schemas.PredictionKind;
import io.streamnet.schemas.StepEvent;
import io.streamnet.schemas.TextEvent;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Per-key RNN inference: decodes and validates each event, advances the key's state (kept in a
 * persistent, changelogged store as {@link StateCodec} bytes) and emits predictions; anything it
 * cannot use goes to the dead-letter child with a reason and the raw bytes. A thin shell over
 * rnn-core's step API.
 */
final class RnnInferenceProcessor implements Processor<String, byte[], String, Object> {
    private static final Logger LOG = LoggerFactory.getLogger(RnnInferenceProcessor.class);

    private final SequenceModel model;
    private final Vocabulary vocabulary;
    private final RecordCodec<TextEvent> textCodec;
    private final RecordCodec<StepEvent> stepCodec;
    private final StreamsAppConfig config;
    private ProcessorContext<String, Object> context;
    private KeyValueStore<String, byte[]> store;
    private StateBatch one;
    private int[] token;
    private Tensor features;
    private long stateResets;

    RnnInferenceProcessor(SequenceModel model, Vocabulary vocabulary, RecordCodec<TextEvent> textCodec,
                          RecordCodec<StepEvent> stepCodec, StreamsAppConfig config) {
        this.model = model;
        this.vocabulary = vocabulary;
        this.textCodec = textCodec;
        this.stepCodec = stepCodec;
        this.config = config;
    }

    @Override
    public void init(ProcessorContext<String, Object> context) {
        this.context = context;
        this.store = context.getStateStore(RnnTopology.STATE_STORE);
        // One reusable single-key workspace: stepping an event's tokens allocates nothing per token.
        this.one = model.newStateBatch(1);
        this.token = new int[1];
        this.features = model.config().tokenInput() ? null : Tensor.zeros(1, model.config().inputSize());
    }

    /** An event reduced to what the model reads: its key, steps, label and end flag. */
    private record Input(String key, long seq, Instant eventTime, List<int[]> tokens, List<float[]> features,
                         Integer label, boolean end) {
    }

    @Override
    public void process(Record<String, byte[]> record) {
        Input in;
        try {
            in = model.config().tokenInput() ? text(record.value()) : steps(record.value());
        } catch (DecodeException e) {
            deadLetter(record, e.reason().name(), e.getMessage());
            return;
        } catch (InvalidInput e) {
            deadLetter(record, e.reason, e.getMessage());
            return;
        }
        // State is partitioned by the record key: a payload key that differs would split a sequence's state.
        if (!in.key().equals(record.key())) {
            deadLetter(record, "KEY_MISMATCH", "record key " + record.key() + " differs from the event key " + in.key());
            return;
        }
        one.load(0, load(in.key()));
        int steps = in.tokens() != null ? in.tokens().size() : in.features().size();
        try {
            for (int i = 0; i < steps; i++) {
                if (in.tokens() != null) {
                    token[0] = in.tokens().get(i)[0];
                } else {
                    System.arraycopy(in.features().get(i), 0, features.data(), 0, features.cols());
                }
                model.stepBatch(one, 1, token, features);
            }
        } catch (RuntimeException e) {
            // One record the model cannot take must not stop the stream thread (and be re-read forever).
            LOG.error("model step failed for key {}", in.key(), e);
            deadLetter(record, "MODEL_ERROR", e.toString());
            return;
        }
        float[] out = one.output(0).toArray();
        if (config.perStep() || in.end()) {
            emit(record, in, out, in.end() ? PredictionKind.MANY_TO_ONE
                    : model.config().outputType() == io.streamnet.rnn.model.OutputType.MANY_TO_MANY
                    ? PredictionKind.MANY_TO_MANY : PredictionKind.ROLLING);
        }
        if (in.end()) {
            store.delete(in.key());
        } else {
            store.put(in.key(), StateCodec.encode(one.save(0)));
        }
    }

    private RnnState load(String key) {
        byte[] bytes = store.get(key);
        if (bytes == null) {
            return model.initialState();
        }
        try {
            return StateCodec.decode(bytes, model.stateLayout());
        } catch (StateCodec.IncompatibleStateException e) {
            stateResets++;
            LOG.warn("state of key {} was written for another model shape; starting it afresh ({} resets so far): {}",
                    key, stateResets, e.getMessage());
            return model.initialState();
        }
    }

    private Input text(byte[] raw) {
        TextEvent e = textCodec.decode(raw);
        List<int[]> tokens = new ArrayList<>();
        if (e.getTokenIds() != null && !e.getTokenIds().isEmpty()) {
            for (int id : e.getTokenIds()) {
                if (id < 0 || id >= model.config().vocabSize()) {
                    throw new InvalidInput("BAD_TOKEN", "token id " + id + " outside the vocabulary of "
                            + model.config().vocabSize());
                }
                tokens.add(new int[] {id});
            }
        } else if (e.getText() != null && !e.getText().isBlank()) {
            for (int id : vocabulary.encode(e.getText())) {
                tokens.add(new int[] {id});
            }
        }
        if (tokens.isEmpty()) {
            throw new InvalidInput("EMPTY_TEXT", "event of key " + e.getKey() + " has no text and no token ids");
        }
        if (tokens.size() > config.maxTokensPerEvent()) {
            throw new InvalidInput("OVERSIZED", tokens.size() + " tokens in one event, limit " + config.maxTokensPerEvent());
        }
        return new Input(e.getKey(), e.getSeq(), e.getEventTime(), tokens, null, e.getLabel(), e.getEndOfSequence());
    }

    private Input steps(byte[] raw) {
        StepEvent e = stepCodec.decode(raw);
        int width = model.config().inputSize();
        if (e.getFeatures().size() != width) {
            throw new InvalidInput("WRONG_DIMENSION", e.getFeatures().size() + " features, the model reads " + width);
        }
        float[] f = new float[width];
        for (int i = 0; i < width; i++) {
            f[i] = e.getFeatures().get(i);
            if (!Float.isFinite(f[i])) {
                throw new InvalidInput("NON_FINITE", "feature " + i + " is " + f[i]);
            }
        }
        return new Input(e.getKey(), e.getStep(), e.getEventTime(), null, List.of(f), e.getLabel(), e.getEndOfSequence());
    }

    private void emit(Record<String, byte[]> record, Input in, float[] out, PredictionKind kind) {
        List<Float> probs = new ArrayList<>(out.length);
        int best = 0;
        for (int i = 0; i < out.length; i++) {
            probs.add(out[i]);
            if (out[i] > out[best]) {
                best = i;
            }
        }
        boolean classes = model.config().task() == io.streamnet.rnn.model.Task.CLASSIFICATION;
        Prediction p = Prediction.newBuilder().setKey(in.key()).setKind(kind).setStep(in.seq())
                .setProbabilities(classes ? probs : List.of()).setValues(classes ? List.of() : probs)
                .setLabel(classes ? best : -1).setModelId(config.modelId()).setModelVersion(config.modelVersion())
                .setEventTime(in.eventTime()).setLatencyMs(Math.max(0, System.currentTimeMillis() - record.timestamp()))
                .setTrueLabel(in.label()).build();
        context.forward(new Record<String, Object>(in.key(), p, record.timestamp()), RnnTopology.PREDICTIONS_SINK);
    }

    /** Dead letters keep at most this much of a record, so an oversized record still fits the topic. */
    static final int MAX_RAW_BYTES = 64 << 10;

    private void deadLetter(Record<String, byte[]> record, String reason, String detail) {
        RecordMetadata md = context.recordMetadata().orElse(null);
        byte[] raw = record.value();
        String why = detail == null ? "" : detail;
        if (raw != null && raw.length > MAX_RAW_BYTES) {
            why += " (raw truncated to " + MAX_RAW_BYTES + " of " + raw.length + " bytes)";
            raw = java.util.Arrays.copyOf(raw, MAX_RAW_BYTES);
        }
        DeadLetter d = DeadLetter.newBuilder().setSourceTopic(md == null ? config.inputTopic() : md.topic())
                .setPartition(md == null ? -1 : md.partition()).setOffset(md == null ? -1 : md.offset())
                .setReason(reason).setDetail(why)
                .setRaw(raw == null ? null : ByteBuffer.wrap(raw))
                .setTime(Instant.ofEpochMilli(System.currentTimeMillis())).build();
        context.forward(new Record<String, Object>(record.key(), d, record.timestamp()), RnnTopology.DEAD_LETTER_SINK);
    }

    /** Validation failures after decoding, with their dead-letter reason code. */
    private static final class InvalidInput extends RuntimeException {
        final String reason;

        InvalidInput(String reason, String message) {
            super(message);
            this.reason = reason;
        }
    }
}
