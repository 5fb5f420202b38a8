package io.streamnet.kafka.streams;

import io.streamnet.kafka.admin.PipelineTopics;
import io.streamnet.kafka.serde.WireFormat;

/**
 * Settings of the per-key RNN inference app, validated at construction. Input is text-events for
 * token models and step-events for feature models; {@code perStep} emits a prediction after every
 * event (rolling / many-to-many) instead of only at the end-of-sequence marker.
 */
public record StreamsAppConfig(String applicationId, String inputTopic, WireFormat inputFormat, String outputTopic,
                               String deadLetterTopic, boolean perStep, int maxTokensPerEvent, String modelId,
                               long modelVersion) {
    public StreamsAppConfig {
        if (applicationId == null || applicationId.isBlank() || inputTopic == null || outputTopic == null
                || deadLetterTopic == null || inputFormat == null || modelId == null) {
            throw new IllegalArgumentException("application id, topics, input format and model id are required");
        }
        if (maxTokensPerEvent < 1) {
            throw new IllegalArgumentException("maxTokensPerEvent must be positive, got " + maxTokensPerEvent);
        }
    }

    /** Defaults for a token model reading JSON or Avro text events. */
    public static StreamsAppConfig forText(WireFormat format, boolean perStep, String modelId, long version) {
        return new StreamsAppConfig("streamnet-rnn", PipelineTopics.TEXT_EVENTS, format, PipelineTopics.PREDICTIONS,
                PipelineTopics.DEAD_LETTERS, perStep, 512, modelId, version);
    }

    public static StreamsAppConfig forSteps(WireFormat format, boolean perStep, String modelId, long version) {
        return new StreamsAppConfig("streamnet-rnn", PipelineTopics.STEP_EVENTS, format, PipelineTopics.PREDICTIONS,
                PipelineTopics.DEAD_LETTERS, perStep, 512, modelId, version);
    }
}
