package io.streamnet.flink.sequence;

import io.streamnet.contract.PipelineTopics;
import io.streamnet.flink.job.KafkaJobConfig;
import io.streamnet.flink.job.KafkaJobConfigBuilder;
import io.streamnet.serving.sequence.InputKind;
import io.streamnet.serving.sequence.OutputMode;
import java.time.Duration;
import java.util.List;

/**
 * The sequence inference job's settings: the parts every job has ({@link KafkaJobConfig}) and what
 * it reads and emits per key. Made by {@link #builder()} (text events) or {@link #forSteps()}
 * (feature vectors), validated once in {@code build()}.
 */
public final class SequenceJobConfig extends KafkaJobConfig {
    private static final long serialVersionUID = 2L;

    private final InputKind inputKind;
    private final OutputMode mode;
    private final Duration sessionGap;
    private final int forecastSteps;

    private SequenceJobConfig(Builder b) {
        super(b);
        inputKind = b.inputKind;
        mode = b.mode;
        sessionGap = b.sessionGap;
        forecastSteps = b.forecastSteps;
    }

    /** Defaults for text input (TextEvent on text-events). */
    public static Builder builder() {
        return new Builder();
    }

    /** Defaults for feature-vector input (StepEvent on step-events). */
    public static Builder forSteps() {
        return new Builder().inputKind(InputKind.STEP).inputTopic(PipelineTopics.STEP_EVENTS);
    }

    /** A builder holding this config's settings, to build one that differs in a few. */
    public Builder toBuilder() {
        return new Builder(this);
    }

    public InputKind inputKind() {
        return inputKind;
    }

    public OutputMode mode() {
        return mode;
    }

    /** A key idle this long is closed as if its end marker came (null: never). */
    public Duration sessionGap() {
        return sessionGap;
    }

    /** Values generated after the marker in FORECAST mode. */
    public int forecastSteps() {
        return forecastSteps;
    }

    /** The sequence operator's part: batching, emission, limits and model trust. */
    public SequenceOperatorConfig operatorConfig() {
        return new SequenceOperatorConfig(batching().size(), batching().maxWaitMillis(), mode, sessionGap,
                limits().stateTtl(), forecastSteps, model().maxModelBytes(), limits().maxStepsPerEvent(),
                limits().order(), model().trustedUpdateKey());
    }

    public static final class Builder extends KafkaJobConfigBuilder<SequenceJobConfig, Builder> {
        private InputKind inputKind = InputKind.TEXT;
        private OutputMode mode = OutputMode.MANY_TO_ONE;
        private Duration sessionGap;
        private int forecastSteps = 8;

        private Builder() {
            super(PipelineTopics.TEXT_EVENTS, "streamnet-sequence-job", "streamnet-sequence", 64);
        }

        private Builder(SequenceJobConfig c) {
            super(c);
            inputKind = c.inputKind;
            mode = c.mode;
            sessionGap = c.sessionGap;
            forecastSteps = c.forecastSteps;
        }

        @Override
        protected Builder self() {
            return this;
        }

        public Builder inputKind(InputKind kind) {
            inputKind = kind;
            return this;
        }

        public Builder mode(OutputMode m) {
            mode = m;
            return this;
        }

        public Builder sessionGap(Duration gap) {
            sessionGap = gap;
            return this;
        }

        public Builder forecastSteps(int steps) {
            forecastSteps = steps;
            return this;
        }

        @Override
        public SequenceJobConfig build() {
            List<String> problems = commonProblems();
            if (inputKind == null || mode == null) {
                problems.add("input kind and mode are required");
            }
            if (inputKind == InputKind.TEXT && mode == OutputMode.FORECAST) {
                problems.add("FORECAST generates feature vectors: use STEP input");
            }
            SequenceJobConfig c = new SequenceJobConfig(this);
            collect(problems, c::operatorConfig);
            throwIfAny("sequence job", problems);
            return c;
        }
    }
}
