package io.streamnet.cnn.layer;

import com.fasterxml.jackson.databind.JsonNode;
import io.streamnet.engine.nn.init.Initializer;
import io.streamnet.engine.nn.layer.LayerRegistry;
import java.util.Locale;

/**
 * Registers cnn-core's layer types with the engine's {@link LayerRegistry}, so that architecture JSON
 * and checkpoints of CNNs rebuild. Found through {@link java.util.ServiceLoader} (see
 * META-INF/services), so loading a checkpoint needs no set-up; {@link #register()} does it explicitly.
 */
public final class CnnLayers implements LayerRegistry.Plugin {
    private static volatile boolean registered;

    /** Registers the types once; safe to call any number of times. */
    public static void register() {
        if (registered) {
            return;
        }
        synchronized (CnnLayers.class) {
            if (registered) {
                return;
            }
            registerAll();
            registered = true;
        }
    }

    @Override
    public void registerLayers() {
        registerAll();
        registered = true;
    }

    private static void registerAll() {
        LayerRegistry.register(Conv2D.TYPE, (b, s, name, spec) -> new Conv2D(b, s, name,
                LayerRegistry.required(spec, "in"), LayerRegistry.required(spec, "filters"),
                LayerRegistry.required(spec, "kernel"), LayerRegistry.required(spec, "stride"),
                nonNegative(spec, "pad"), spec.path("bias").asBoolean(true),
                Initializer.valueOf(spec.path("init").asText("he_normal").toUpperCase(Locale.ROOT))));
        for (Pool2D.Kind kind : Pool2D.Kind.values()) {
            LayerRegistry.register(kind.type(), (b, s, name, spec) -> new Pool2D(b, kind,
                    LayerRegistry.required(spec, "window"), LayerRegistry.required(spec, "stride")));
        }
        LayerRegistry.register(Flatten.TYPE, (b, s, name, spec) -> new Flatten());
        LayerRegistry.register(BatchNorm.TYPE, (b, s, name, spec) -> new BatchNorm(b, s, name,
                LayerRegistry.required(spec, "channels"),
                (float) spec.path("epsilon").asDouble(BatchNorm.DEFAULT_EPSILON),
                (float) spec.path("momentum").asDouble(BatchNorm.DEFAULT_MOMENTUM)));
        LayerRegistry.register(ResidualBlock.TYPE, (b, s, name, spec) -> new ResidualBlock(b, s, name,
                LayerRegistry.required(spec, "in"), LayerRegistry.required(spec, "out"),
                LayerRegistry.required(spec, "stride")));
    }

    private static int nonNegative(JsonNode spec, String field) {
        JsonNode v = spec.get(field);
        if (v == null || !v.canConvertToInt() || v.asInt() < 0) {
            throw new IllegalArgumentException("layer " + spec + " needs a non-negative integer '" + field + "'");
        }
        return v.asInt();
    }
}
