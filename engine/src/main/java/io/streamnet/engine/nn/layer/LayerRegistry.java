package io.streamnet.engine.nn.layer;

import com.fasterxml.jackson.databind.JsonNode;
import io.streamnet.engine.backend.Activation;
import io.streamnet.engine.backend.Backend;
import io.streamnet.engine.nn.ParameterStore;
import io.streamnet.engine.nn.init.Initializer;
import java.util.Locale;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Builds layers from their architecture entries by "type". The engine registers its own layers;
 * cnn-core and rnn-core register theirs, so checkpoints of their models rebuild the same way. A
 * module registers either by calling {@link #register} or, so that loading a checkpoint needs no
 * set-up call, by listing a {@link Plugin} in
 * {@code META-INF/services/io.streamnet.engine.nn.layer.LayerRegistry$Plugin}: plugins on the
 * class path are loaded with this class, and again from the thread's context class loader when an
 * unknown type is asked for.
 */
public final class LayerRegistry {
    @FunctionalInterface
    public interface Factory {
        Layer create(Backend backend, ParameterStore store, String name, JsonNode spec);
    }

    /** A module's layer types, found through {@link ServiceLoader}. */
    public interface Plugin {
        /** Calls {@link LayerRegistry#register} for each of the module's layer types. */
        void registerLayers();
    }

    private static final Map<String, Factory> FACTORIES = new ConcurrentHashMap<>();

    static {
        register("dense", (b, s, name, spec) -> new Dense(b, s, name, required(spec, "in"), required(spec, "out"),
                Initializer.valueOf(spec.path("init").asText("xavier_uniform").toUpperCase(Locale.ROOT))));
        register("activation", (b, s, name, spec) -> new ActivationLayer(b, Activation.parse(spec.path("fn").asText())));
        loadPlugins(LayerRegistry.class.getClassLoader());
    }

    private static void loadPlugins(ClassLoader loader) {
        if (loader == null) {
            return;
        }
        for (Plugin p : ServiceLoader.load(Plugin.class, loader)) {
            p.registerLayers();
        }
    }

    private LayerRegistry() {
    }

    public static void register(String type, Factory factory) {
        FACTORIES.put(type, factory);
    }

    public static Layer create(Backend backend, ParameterStore store, String name, JsonNode spec) {
        String type = spec.path("type").asText();
        Factory f = FACTORIES.get(type);
        if (f == null) {
            loadPlugins(Thread.currentThread().getContextClassLoader());
            f = FACTORIES.get(type);
        }
        if (f == null) {
            throw new IllegalArgumentException("unknown layer type '" + type + "' in architecture; known: "
                    + FACTORIES.keySet());
        }
        return f.create(backend, store, name, spec);
    }

    public static int required(JsonNode spec, String field) {
        JsonNode v = spec.get(field);
        if (v == null || !v.canConvertToInt() || v.asInt() <= 0) {
            throw new IllegalArgumentException("layer " + spec + " needs a positive integer '" + field + "'");
        }
        return v.asInt();
    }
}
