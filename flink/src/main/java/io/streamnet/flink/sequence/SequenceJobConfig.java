package io.streamnet.flink.sequence;

import io.streamnet.flink.job.KafkaJobConfig;
import io.streamnet.contract.PipelineTopics;
import io.streamnet.serving.event.EventOrder;
import io.streamnet.serving.sequence.InputKind;
import io.streamnet.serving.sequence.OutputMode;
import io.streamnet.serving.sequence.SequenceInput;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Everything the sequence inference job reads, typed, with defaults that work against a local
 * broker, validated by {@link #validate()} before the job is built.
 */
public final class SequenceJobConfig extends KafkaJobConfig {
    private static final long serialVersionUID = 1L;

    public InputKind inputKind = InputKind.TEXT;
    public int batchSize = 64;
    public long batchMillis = 20;
    public OutputMode mode = OutputMode.MANY_TO_ONE;
    public Duration sessionGap = null;
    public int forecastSteps = 8;
    /** Most input steps (tokens) one event may carry. */
    public int maxStepsPerEvent = SequenceInput.DEFAULT_MAX_STEPS;
    /** No model at all: identity pipeline for benchmarks (source, decode, keyBy, sink). */
    public boolean identity = false;

    public SequenceJobConfig() {
        super(PipelineTopics.TEXT_EVENTS, "streamnet-sequence-job", "streamnet-sequence");
    }

    /** Defaults for feature-vector input (StepEvent on step-events). */
    public static SequenceJobConfig forSteps() {
        SequenceJobConfig c = new SequenceJobConfig();
        c.inputKind = InputKind.STEP;
        c.inputTopic = PipelineTopics.STEP_EVENTS;
        return c;
    }

    public SequenceOperatorConfig operatorConfig() {
        return new SequenceOperatorConfig(batchSize, batchMillis, mode, sessionGap, stateTtl, forecastSteps, maxModelBytes,
                maxStepsPerEvent, checkOrder ? EventOrder.CHECKED : EventOrder.UNCHECKED, trustedUpdateKey);
    }

    /** Throws with every problem listed, so a bad config fails at start and says all that is wrong. */
    public SequenceJobConfig validate() {
        List<String> problems = new ArrayList<>();
        validateCommon(problems);
        if (inputKind == null || mode == null) {
            problems.add("input kind and mode are required");
        }
        if (inputKind == InputKind.TEXT && mode == OutputMode.FORECAST) {
            problems.add("FORECAST generates feature vectors: use STEP input");
        }
        try {
            operatorConfig();
        } catch (IllegalArgumentException e) {
            problems.add(e.getMessage());
        }
        throwIfAny("sequence job", problems);
        return this;
    }
}
