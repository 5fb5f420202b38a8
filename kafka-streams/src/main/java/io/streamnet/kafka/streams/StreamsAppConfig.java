package io.streamnet.kafka.streams;

import io.streamnet.contract.PipelineTopics;
import io.streamnet.serving.event.EventOrder;
import io.streamnet.serving.model.UpdateSignatures;
import io.streamnet.serving.sequence.InputKind;
import io.streamnet.serving.sequence.OutputMode;
import io.streamnet.serving.sequence.SequenceInput;
import io.streamnet.serving.wire.WireFormat;
import java.time.Duration;

/**
 * Settings of the per-key sequence inference app, validated at construction. Input is text-events
 * for token models and step-events for feature models; {@code mode} is what is emitted per key,
 * with the same meaning as in the Flink sequence job.
 *
 * @param forecastSteps     values generated after the marker in FORECAST mode
 * @param maxStepsPerEvent  most input steps (tokens) one event may carry
 * @param modelUpdatesTopic newer versions of the model arrive here (null: serve the first model only)
 * @param order             whether a key's events must come in increasing seq (DUPLICATE, OUT_OF_ORDER)
 * @param trustedKey        X.509 encoding of the Ed25519 key updates must be signed by (null: unsigned accepted)
 * @param stateTtl          a key idle this long loses its state (null: kept until its sequence ends)
 */
public record StreamsAppConfig(String applicationId, String inputTopic, WireFormat inputFormat, String outputTopic,
                               String deadLetterTopic, OutputMode mode, int forecastSteps, int maxStepsPerEvent,
                               String modelId, long modelVersion, String modelUpdatesTopic, EventOrder order,
                               byte[] trustedKey, Duration stateTtl) {
    public StreamsAppConfig {
        if (applicationId == null || applicationId.isBlank() || inputTopic == null || outputTopic == null
                || deadLetterTopic == null || inputFormat == null || modelId == null || mode == null) {
            throw new IllegalArgumentException("application id, topics, input format, output mode and model id are required");
        }
        if (maxStepsPerEvent < 1) {
            throw new IllegalArgumentException("maxStepsPerEvent must be positive, got " + maxStepsPerEvent);
        }
        if (mode == OutputMode.FORECAST && forecastSteps < 1) {
            throw new IllegalArgumentException("FORECAST needs at least one step to generate, got " + forecastSteps);
        }
        if (order == null) {
            throw new IllegalArgumentException("event order setting is required");
        }
        if (trustedKey != null) {
            UpdateSignatures.publicKey(trustedKey);
        }
        if (stateTtl != null && stateTtl.toMillis() < 1) {
            throw new IllegalArgumentException("state TTL must be positive, got " + stateTtl);
        }
    }

    /** Idle keys' state expires after an hour by default, as in the Flink jobs. */
    public static final Duration DEFAULT_STATE_TTL = Duration.ofHours(1);

    /** The default application id of each input kind: the text and step apps keep apart state and offsets. */
    public static String defaultApplicationId(InputKind kind) {
        return kind == InputKind.TEXT ? "streamnet-rnn-text" : "streamnet-rnn-steps";
    }

    /**
     * Defaults for a token model reading text events: a prediction at each end marker, or with
     * {@code perStep} the rolling score after every event.
     */
    public static StreamsAppConfig forText(WireFormat format, boolean perStep, String modelId, long version) {
        return of(InputKind.TEXT, format, perStep ? OutputMode.ROLLING : OutputMode.MANY_TO_ONE, modelId, version);
    }

    /** Defaults for a feature model: a prediction at each end marker, or with {@code perStep} after every step. */
    public static StreamsAppConfig forSteps(WireFormat format, boolean perStep, String modelId, long version) {
        return of(InputKind.STEP, format, perStep ? OutputMode.MANY_TO_MANY : OutputMode.MANY_TO_ONE, modelId,
                version);
    }

    public static StreamsAppConfig of(InputKind kind, WireFormat format, OutputMode mode, String modelId,
                                      long version) {
        return new StreamsAppConfig(defaultApplicationId(kind),
                kind == InputKind.TEXT ? PipelineTopics.TEXT_EVENTS : PipelineTopics.STEP_EVENTS, format,
                PipelineTopics.PREDICTIONS, PipelineTopics.DEAD_LETTERS, mode, 8, SequenceInput.DEFAULT_MAX_STEPS,
                modelId, version, PipelineTopics.MODEL_UPDATES, EventOrder.CHECKED, null, DEFAULT_STATE_TTL);
    }

    /** The same app serving its first model only (no model-updates topic needed). */
    public StreamsAppConfig withoutModelUpdates() {
        return new StreamsAppConfig(applicationId, inputTopic, inputFormat, outputTopic, deadLetterTopic, mode,
                forecastSteps, maxStepsPerEvent, modelId, modelVersion, null, order, trustedKey, stateTtl);
    }

    public StreamsAppConfig withApplicationId(String id) {
        return new StreamsAppConfig(id, inputTopic, inputFormat, outputTopic, deadLetterTopic, mode,
                forecastSteps, maxStepsPerEvent, modelId, modelVersion, modelUpdatesTopic, order, trustedKey, stateTtl);
    }

    public StreamsAppConfig withOrder(EventOrder o) {
        return new StreamsAppConfig(applicationId, inputTopic, inputFormat, outputTopic, deadLetterTopic, mode,
                forecastSteps, maxStepsPerEvent, modelId, modelVersion, modelUpdatesTopic, o, trustedKey, stateTtl);
    }

    public StreamsAppConfig withTrustedKey(byte[] key) {
        return new StreamsAppConfig(applicationId, inputTopic, inputFormat, outputTopic, deadLetterTopic, mode,
                forecastSteps, maxStepsPerEvent, modelId, modelVersion, modelUpdatesTopic, order, key, stateTtl);
    }

    public StreamsAppConfig withStateTtl(Duration ttl) {
        return new StreamsAppConfig(applicationId, inputTopic, inputFormat, outputTopic, deadLetterTopic, mode,
                forecastSteps, maxStepsPerEvent, modelId, modelVersion, modelUpdatesTopic, order, trustedKey, ttl);
    }
}
