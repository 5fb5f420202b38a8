package io.streamnet.flink.sequence;

import io.streamnet.serving.sequence.SequenceEvent;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.streaming.api.operators.InternalTimer;
import org.apache.flink.streaming.api.operators.InternalTimerService;

/**
 * Session gaps of the sequence operator: a processing-time timer per open key, re-armed by each
 * event, and in keyed state what the key's last event said, so that the gap can close the
 * sequence with a prediction that names it. State and timer names are part of savepoints.
 */
final class SessionGaps {
    static final String TIMERS = "session-gap";

    /** 0: no gap, sequences end at their marker only. */
    private final long gapMillis;
    /** Per key, while a timer is armed: {deadline, last seq, last event time, label}. */
    private final ValueState<long[]> session;
    private final InternalTimerService<VoidNamespace> timers;

    /**
     * @param session the operator's {@link #descriptor()} state
     * @param timers  the operator's {@link #TIMERS} timer service
     * @param gap     null: no session gap
     */
    SessionGaps(ValueState<long[]> session, InternalTimerService<VoidNamespace> timers, Duration gap) {
        this.session = session;
        this.timers = timers;
        this.gapMillis = gap == null ? 0 : gap.toMillis();
    }

    /** The per-key state's descriptor (a new one per operator: descriptors are mutable). */
    static ValueStateDescriptor<long[]> descriptor() {
        return new ValueStateDescriptor<>("rnn-session", PrimitiveArrayTypeInfo.LONG_PRIMITIVE_ARRAY_TYPE_INFO);
    }

    /** (Re)arms the current key's timer after its event {@code e}. */
    void arm(SequenceEvent e) {
        if (gapMillis == 0) {
            return;
        }
        long[] s = session();
        if (s != null) {
            timers.deleteProcessingTimeTimer(VoidNamespace.INSTANCE, s[0]);
        }
        long deadline = timers.currentProcessingTime() + gapMillis;
        timers.registerProcessingTimeTimer(VoidNamespace.INSTANCE, deadline);
        try {
            session.update(new long[] {deadline, e.seq, e.eventTime, e.label});
        } catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }

    /** The current key closed: its timer goes. */
    void disarm() {
        long[] s = session();
        if (s != null) {
            timers.deleteProcessingTimeTimer(VoidNamespace.INSTANCE, s[0]);
            session.clear();
        }
    }

    /** The key's last event (for the closing prediction) if {@code timer} is its live one, else null. */
    SequenceEvent expired(InternalTimer<String, VoidNamespace> timer) {
        long[] s = session();
        if (s == null || s[0] != timer.getTimestamp()) {
            return null;
        }
        SequenceEvent last = new SequenceEvent();
        last.key = timer.getKey();
        last.seq = s[1];
        last.eventTime = s[2];
        last.label = (int) s[3];
        last.ingestTime = s[0];
        return last;
    }

    private long[] session() {
        try {
            return session.value();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
