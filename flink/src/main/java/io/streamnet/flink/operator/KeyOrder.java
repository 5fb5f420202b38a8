package io.streamnet.flink.operator;

import io.streamnet.serving.event.EventOrder;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;

/**
 * {@link EventOrder} on Flink keyed state: the number of the current key's last record taken is kept
 * (only when the order is checked), so a retried or replayed record is refused, not taken twice.
 */
public final class KeyOrder {
    private final EventOrder order;
    /** Null when the order is not checked: nothing is kept. */
    private final ValueState<Long> last;

    private KeyOrder(EventOrder order, ValueState<Long> last) {
        this.order = order;
        this.last = last;
    }

    /** The rule {@code order}, its numbers kept in {@code operator}'s expiring keyed state {@code stateName} (part of savepoints). */
    public static KeyOrder of(EventOrder order, String stateName, ModelFollowingOperator<?, ?, ?> operator)
            throws Exception {
        return new KeyOrder(order, order.enabled()
                ? operator.expiringState(new ValueStateDescriptor<>(stateName, Types.LONG)) : null);
    }

    /** @throws io.streamnet.serving.reject.Rejected DUPLICATE or OUT_OF_ORDER, for the current key */
    public void check(String key, long number) throws Exception {
        if (last != null) {
            order.check(key, last.value(), number);
        }
    }

    /** The current key's record {@code number} is taken; at its sequence's {@code end} the number is forgotten (it may start over). */
    public void taken(long number, boolean end) throws Exception {
        if (last == null) {
            return;
        }
        if (end) {
            last.clear();
        } else {
            last.update(number);
        }
    }
}
