package io.streamnet.flink.operator;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.apache.flink.streaming.runtime.tasks.TestProcessingTimeService;
import org.junit.jupiter.api.Test;

class MicroBatchTriggerTest {
    final TestProcessingTimeService time = new TestProcessingTimeService();
    final List<List<Integer>> batches = new ArrayList<>();
    final MicroBatchTrigger<Integer> trigger = new MicroBatchTrigger<>(3, 50, time, b -> batches.add(List.copyOf(b)));

    @Test
    void aFullBatchRunsAtOnce() throws Exception {
        trigger.add(1);
        trigger.add(2);
        assertThat(batches).isEmpty();
        trigger.add(3);
        assertThat(batches).containsExactly(List.of(1, 2, 3));
    }

    @Test
    void theFirstRecordOfABatchArmsATimerThatRunsWhatIsBufferedWhenItsTimeIsUp() throws Exception {
        trigger.add(1);
        trigger.add(2);
        assertThat(time.getNumActiveTimers()).as("one timer per batch").isEqualTo(1);
        time.advance(49);
        assertThat(batches).isEmpty();
        time.advance(1);
        assertThat(batches).containsExactly(List.of(1, 2));
    }

    @Test
    void aFlushRunsWhatIsBufferedAndNothingWhenTheBufferIsEmpty() throws Exception {
        trigger.flush();
        assertThat(batches).isEmpty();
        trigger.add(1);
        trigger.flush();
        assertThat(batches).containsExactly(List.of(1));
        time.advance(50);
        assertThat(batches).as("the timer of a batch already run finds nothing").hasSize(1);
    }
}
