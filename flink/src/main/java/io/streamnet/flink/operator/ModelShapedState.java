package io.streamnet.flink.operator;

import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.runtime.state.KeyedStateBackend;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.runtime.state.VoidNamespaceSerializer;

/** The per-key float[] state whose shape is the serving model's: cleared for every key when a swap changes it. */
final class ModelShapedState {
    private final ValueStateDescriptor<float[]> descriptor;
    private ValueState<float[]> state;

    /** @param name the state's name (part of savepoints) */
    ModelShapedState(String name) {
        descriptor = new ValueStateDescriptor<>(name, PrimitiveArrayTypeInfo.FLOAT_PRIMITIVE_ARRAY_TYPE_INFO); // not Kryo
    }

    ValueStateDescriptor<float[]> descriptor() {
        return descriptor;
    }

    void bind(ValueState<float[]> s) {
        state = s;
    }

    ValueState<float[]> state() {
        return state;
    }

    /** Clears every key's state; returns how many keys had one. */
    long clearAll(KeyedStateBackend<?> backend) throws Exception {
        long[] n = {0};
        backend.applyToAllKeys(VoidNamespace.INSTANCE, VoidNamespaceSerializer.INSTANCE, descriptor, (key, s) -> {
            s.clear();
            n[0]++;
        });
        return n[0];
    }
}
