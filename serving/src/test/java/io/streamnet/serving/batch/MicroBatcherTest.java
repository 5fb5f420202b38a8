package io.streamnet.serving.batch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** The size/time trigger of every runtime's batches. */
class MicroBatcherTest {
    @Test
    void theFirstRecordOfABatchArmsTheTimerOnceAndTheSizeRunsIt() {
        MicroBatcher<String> b = new MicroBatcher<>(3, 20);
        assertThat(b.add("a")).isEqualTo(MicroBatcher.Next.ARM_TIMER);
        assertThat(b.add("b")).isEqualTo(MicroBatcher.Next.WAIT);
        assertThat(b.add("c")).isEqualTo(MicroBatcher.Next.RUN);
        assertThat(b.take()).containsExactly("a", "b", "c");
        assertThat(b.isEmpty()).isTrue();
    }

    @Test
    void aTakenBatchStartsTheNextOneWithANewTimer() {
        MicroBatcher<String> b = new MicroBatcher<>(8, 20);
        b.add("a");
        b.take(); // the timer fired
        assertThat(b.add("b")).isEqualTo(MicroBatcher.Next.ARM_TIMER);
        assertThat(b.take()).containsExactly("b");
    }

    @Test
    void noTimeBudgetRunsEveryRecordAtOnce() {
        MicroBatcher<String> b = new MicroBatcher<>(8, 0);
        assertThat(b.add("a")).isEqualTo(MicroBatcher.Next.RUN);
    }

    @Test
    void sizesAndTimesOutOfRangeAreRefused() {
        assertThatThrownBy(() -> new MicroBatcher<>(0, 20)).hasMessageContaining("batch size");
        assertThatThrownBy(() -> new MicroBatcher<>(4, -1)).hasMessageContaining("batch time");
    }
}
