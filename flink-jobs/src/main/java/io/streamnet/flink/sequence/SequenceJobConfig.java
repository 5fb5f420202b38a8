package io.streamnet.flink.sequence;

import io.streamnet.flink.job.KafkaJobConfig;
import io.streamnet.flink.rnn.OutputMode;
import io.streamnet.flink.rnn.RnnOperatorConfig;
import io.streamnet.kafka.admin.PipelineTopics;
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
    public int bundleSize = 64;
    public long bundleMillis = 20;
    public OutputMode mode = OutputMode.MANY_TO_ONE;
    public Duration sessionGap = null;
    public int forecastSteps = 8;
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

    public RnnOperatorConfig operatorConfig() {
        return new RnnOperatorConfig(bundleSize, bundleMillis, mode, sessionGap, stateTtl, forecastSteps, maxModelBytes);
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
