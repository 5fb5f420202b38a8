package io.streamnet.flink.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.streamnet.flink.sequence.SequenceJobConfig;
import java.time.Duration;
import org.apache.flink.configuration.ReadableConfig;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.junit.jupiter.api.Test;

/** What every job is configured with before its pipeline is built. */
class KafkaJobsTest {
    @Test
    void everyJobRestartsABoundedNumberOfTimesWithGrowingDelays() {
        SequenceJobConfig c = SequenceJobConfig.builder()
                .restartAttempts(7)
                .restartInitialBackoff(Duration.ofMillis(500))
                .restartMaxBackoff(Duration.ofSeconds(30))
                .build();
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        KafkaJobs.configure(env, c);
        ReadableConfig conf = env.getConfiguration();
        assertThat(conf.get(RestartStrategyOptions.RESTART_STRATEGY)).isEqualTo("exponential-delay");
        assertThat(conf.get(RestartStrategyOptions.RESTART_STRATEGY_EXPONENTIAL_DELAY_ATTEMPTS)).isEqualTo(7);
        assertThat(conf.get(RestartStrategyOptions.RESTART_STRATEGY_EXPONENTIAL_DELAY_INITIAL_BACKOFF))
                .isEqualTo(Duration.ofMillis(500));
        assertThat(conf.get(RestartStrategyOptions.RESTART_STRATEGY_EXPONENTIAL_DELAY_MAX_BACKOFF))
                .isEqualTo(Duration.ofSeconds(30));
    }

    @Test
    void aBackoffThatShrinksIsRefusedAtStart() {
        SequenceJobConfig.Builder b = SequenceJobConfig.builder().restartInitialBackoff(Duration.ofMinutes(2));
        assertThatThrownBy(b::build).hasMessageContaining("restart backoff");
    }
}
