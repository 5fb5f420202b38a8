package io.streamnet.engine.nn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.streamnet.engine.nn.init.Initializer;
import org.junit.jupiter.api.Test;

/** A store's budget bounds what an architecture can make it allocate, checked before each tensor. */
class ParameterBudgetTest {
    @Test
    void parametersUpToTheBudgetAreCreated() {
        ParameterStore s = new ParameterStore(1).limit(12);
        s.create("w", Initializer.ZEROS, 3, 4, 3, 4);
        assertThat(s.count()).isEqualTo(12);
    }

    @Test
    void oneFloatOverTheBudgetIsRefused() {
        ParameterStore s = new ParameterStore(1).limit(12);
        s.create("w", Initializer.ZEROS, 3, 3, 3, 3);
        assertThatThrownBy(() -> s.create("b", Initializer.ZEROS, 1, 4, 4))
                .isInstanceOf(ParameterStore.BudgetExceededException.class).hasMessageContaining("'b'");
    }

    @Test
    void aHugeShapeIsRefusedWithoutAllocatingOrOverflowing() {
        ParameterStore s = new ParameterStore(1).limit(1_000);
        assertThatThrownBy(() -> s.create("huge", Initializer.ZEROS, 1, 1, 1 << 30, 1 << 30, 1 << 30))
                .isInstanceOf(ParameterStore.BudgetExceededException.class);
        assertThat(s.count()).isZero();
    }
}
