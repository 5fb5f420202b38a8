package io.streamnet.serving.placement;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** The round sizes a workload is calibrated and run at: the powers of a factor below its capacity, then the capacity. */
class RoundLadderTest {
    @Test
    void aSequenceLadderIsThePowersOfFourBelowTheCapacityThenTheCapacity() {
        assertThat(RoundLadder.of(100, 4)).containsExactly(1, 4, 16, 64, 100);
    }

    @Test
    void aFrameLadderIsThePowersOfTwoBelowTheCapacityThenTheCapacity() {
        assertThat(RoundLadder.of(12, 2)).containsExactly(1, 2, 4, 8, 12);
    }

    @Test
    void aCapacityThatIsAPowerOfTheFactorEndsTheLadderOnce() {
        assertThat(RoundLadder.of(16, 4)).containsExactly(1, 4, 16);
    }

    @Test
    void aCapacityOfOneIsALadderOfOneSize() {
        assertThat(RoundLadder.of(1, 4)).containsExactly(1);
    }

    @Test
    void aCapacityNearTheIntLimitEndsTheLadderWithoutOverflowing() {
        int[] sizes = RoundLadder.of(Integer.MAX_VALUE, 4);
        assertThat(sizes).hasSize(17).isSorted();
        assertThat(sizes[15]).isEqualTo(1 << 30);
        assertThat(sizes[16]).isEqualTo(Integer.MAX_VALUE);
    }

    @Test
    void aFactorBelowTwoIsRefused() {
        assertThatThrownBy(() -> RoundLadder.of(8, 1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("at least 2");
    }
}
