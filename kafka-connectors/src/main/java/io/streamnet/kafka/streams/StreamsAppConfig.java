package io.streamnet.kafka.streams;

import io.streamnet.kafka.admin.PipelineTopics;
import io.streamnet.serving.sequence.InputKind;
import io.streamnet.serving.sequence.OutputMode;
import io.streamnet.serving.sequence.SequenceInput;
import io.streamnet.serving.wire.WireFormat;

/**
 * Settings of the per-key sequence inference app, validated at construction. Input is text-events
 * for token models and step-events for feature models; {@code mode} is what is emitted per key,
 * with the same meaning as in the Flink sequence job.
 *
 * @param forecastSteps     values generated after the marker in FORECAST mode
 * @param maxStepsPerEvent  most input steps (tokens) one event may carry
 * @param modelUpdatesTopic newer versions of the model arrive here (null: serve the first model only)
 */
public record StreamsAppConfig(String applicationId, String inputTopic, WireFormat inputFormat, String outputTopic,
                               String deadLetterTopic, OutputMode mode, int forecastSteps, int maxStepsPerEvent,
                               String modelId, long modelVersion, String modelUpdatesTopic) {
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
        return new StreamsAppConfig("streamnet-rnn",
                kind == InputKind.TEXT ? PipelineTopics.TEXT_EVENTS : PipelineTopics.STEP_EVENTS, format,
                PipelineTopics.PREDICTIONS, PipelineTopics.DEAD_LETTERS, mode, 8, SequenceInput.DEFAULT_MAX_STEPS,
                modelId, version, PipelineTopics.MODEL_UPDATES);
    }

    /** The same app serving its first model only (no model-updates topic needed). */
    public StreamsAppConfig withoutModelUpdates() {
        return new StreamsAppConfig(applicationId, inputTopic, inputFormat, outputTopic, deadLetterTopic, mode,
                forecastSteps, maxStepsPerEvent, modelId, modelVersion, null);
    }
}
