package io.streamnet.serving.event;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.streamnet.serving.reject.RejectReason;
import io.streamnet.serving.reject.Rejected;
import org.junit.jupiter.api.Test;

/** Per key, numbers must rise: the boundary is the last number stepped. */
class EventOrderTest {
    @Test
    void theNextNumberAboveTheLastIsAccepted() {
        assertThatCode(() -> EventOrder.CHECKED.check("k", 7L, 8)).doesNotThrowAnyException();
    }

    @Test
    void aNewKeyAcceptsAnyNumber() {
        assertThatCode(() -> EventOrder.CHECKED.check("k", null, -5)).doesNotThrowAnyException();
    }

    @Test
    void theLastNumberAgainIsADuplicate() {
        assertThatThrownBy(() -> EventOrder.CHECKED.check("k", 7L, 7))
                .isInstanceOfSatisfying(Rejected.class, r -> org.assertj.core.api.Assertions.assertThat(r.reason())
                        .isEqualTo(RejectReason.DUPLICATE));
    }

    @Test
    void aNumberBelowTheLastIsOutOfOrder() {
        assertThatThrownBy(() -> EventOrder.CHECKED.check("k", 7L, 6))
                .isInstanceOfSatisfying(Rejected.class, r -> org.assertj.core.api.Assertions.assertThat(r.reason())
                        .isEqualTo(RejectReason.OUT_OF_ORDER));
    }

    @Test
    void turnedOffNothingIsRefused() {
        assertThatCode(() -> EventOrder.UNCHECKED.check("k", 7L, 3)).doesNotThrowAnyException();
    }
}
