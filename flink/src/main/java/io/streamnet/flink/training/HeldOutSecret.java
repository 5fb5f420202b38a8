package io.streamnet.flink.training;

import io.streamnet.training.HeldOutSlice;
import java.util.List;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.OperatorStateStore;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;

/**
 * The held-out slice's secret in operator state. Every subtask keeps it, and a restore (at any
 * parallelism) reads it back from the union: a secret generated for this build gives way to the
 * first run's, so the same keys stay held out. A secret the user gave is always used.
 */
final class HeldOutSecret {
    /** The name in savepoints: keep it. */
    static final String NAME = "held-out-secret";

    private HeldOutSecret() {
    }

    /** The slice to hold out with, its secret kept in {@code store}. */
    static HeldOutSlice restore(OperatorStateStore store, TrainingOperatorConfig config) throws Exception {
        ListState<byte[]> kept = store.getUnionListState(new ListStateDescriptor<>(NAME,
                PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO));
        HeldOutSlice slice = config.heldOut();
        if (!config.heldOutSecretGiven()) {
            for (byte[] secret : kept.get()) {
                slice = slice.withSecret(secret);
                break;
            }
        }
        kept.update(List.of(slice.secret()));
        return slice;
    }
}
