package io.streamnet.engine.nn.layer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.streamnet.engine.backend.Backend;
import io.streamnet.engine.nn.Parameter;
import io.streamnet.engine.nn.ParameterStore;
import io.streamnet.engine.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Layers applied in order; backward runs them in reverse. Its architecture JSON rebuilds it. */
public final class Sequential implements Layer {
    public static final String TYPE = "sequential";

    private final ParameterStore store;
    private final List<Layer> layers;
    private final int[] inputShape;
    private final InferencePlan inference;

    private Sequential(ParameterStore store, List<Layer> layers, int[] inputShape) {
        this.store = store;
        this.layers = List.copyOf(layers);
        this.inputShape = inputShape.clone();
        this.inference = InferencePlan.of(this.layers);
    }

    /** Starts a model whose per-example input has {@code inputShape} (without the batch dimension). */
    public static Builder builder(Backend backend, long seed, int... inputShape) {
        return new Builder(backend, new ParameterStore(seed), inputShape);
    }

    /** Rebuilds a model from {@link #architecture()}; weights come fresh from the initialisers. */
    public static Sequential fromArchitecture(Backend backend, JsonNode arch, long seed) {
        return fromArchitecture(backend, arch, seed, Long.MAX_VALUE);
    }

    /** As {@link #fromArchitecture(Backend, JsonNode, long)}, holding at most {@code maxParameters} floats (checked before allocating). */
    public static Sequential fromArchitecture(Backend backend, JsonNode arch, long seed, long maxParameters) {
        if (!TYPE.equals(arch.path("type").asText())) {
            throw new IllegalArgumentException("architecture type must be '" + TYPE + "' but is '"
                    + arch.path("type").asText() + "'");
        }
        JsonNode shapeNode = arch.path("input");
        int[] shape = new int[shapeNode.size()];
        for (int i = 0; i < shape.length; i++) {
            shape[i] = shapeNode.get(i).asInt();
        }
        Builder b = builder(backend, seed, shape);
        b.store.limit(maxParameters);
        for (JsonNode layer : arch.path("layers")) {
            b.add(LayerRegistry.create(backend, b.store, "l" + b.layers.size(), layer));
        }
        return b.build();
    }

    public static final class Builder {
        private final Backend backend;
        private final ParameterStore store;
        private final int[] inputShape;
        private final List<Layer> layers = new ArrayList<>();

        private Builder(Backend backend, ParameterStore store, int[] inputShape) {
            this.backend = backend;
            this.store = store;
            this.inputShape = inputShape;
        }

        public Backend backend() {
            return backend;
        }

        public ParameterStore store() {
            return store;
        }

        /** The name the next layer's parameters should use, e.g. "l3". */
        public String nextName() {
            return "l" + layers.size();
        }

        public Builder add(Layer layer) {
            layers.add(layer);
            return this;
        }

        /** Per-example shape after the layers added so far. */
        public int[] currentShape() {
            int[] s = new int[inputShape.length + 1];
            s[0] = 1;
            System.arraycopy(inputShape, 0, s, 1, inputShape.length);
            for (Layer l : layers) {
                s = l.outputShape(s);
            }
            return Arrays.copyOfRange(s, 1, s.length);
        }

        public Builder dense(int out, io.streamnet.engine.nn.init.Initializer init) {
            int in = Arrays.stream(currentShape()).reduce(1, (x, y) -> x * y);
            return add(new Dense(backend, store, nextName(), in, out, init));
        }

        public Builder activation(io.streamnet.engine.backend.Activation fn) {
            return add(new ActivationLayer(backend, fn));
        }

        public Sequential build() {
            return new Sequential(store, layers, inputShape);
        }
    }

    @Override
    public Tensor forward(Tensor input, boolean training) {
        Tensor x = input;
        for (Layer l : layers) {
            x = l.forward(x, training);
        }
        return x;
    }

    /** Inference through the fused plan (see {@link InferencePlan}). */
    @Override
    public Tensor infer(Tensor input) {
        return inference.run(input);
    }

    @Override
    public Tensor backward(Tensor gradOutput) {
        Tensor g = gradOutput;
        for (int i = layers.size() - 1; i >= 0; i--) {
            g = layers.get(i).backward(g);
        }
        return g;
    }

    @Override
    public List<Tensor> residentTensors() {
        List<Tensor> t = new java.util.ArrayList<>();
        for (Layer l : layers) {
            t.addAll(l.residentTensors());
        }
        return t;
    }

    @Override
    public List<Parameter> parameters() {
        return store.all();
    }

    public ParameterStore store() {
        return store;
    }

    public List<Layer> layers() {
        return layers;
    }

    public int[] inputShape() {
        return inputShape.clone();
    }

    @Override
    public int[] outputShape(int[] shape) {
        int[] s = shape;
        for (Layer l : layers) {
            s = l.outputShape(s);
        }
        return s;
    }

    @Override
    public ObjectNode spec() {
        return architecture();
    }

    public ObjectNode architecture() {
        ObjectNode n = JsonNodeFactory.instance.objectNode();
        n.put("type", TYPE);
        ArrayNode in = n.putArray("input");
        Arrays.stream(inputShape).forEach(in::add);
        ArrayNode arr = n.putArray("layers");
        layers.forEach(l -> arr.add(l.spec()));
        return n;
    }

    /** One line per layer: type, output shape (batch 1), parameter count; then the total. */
    public String summary() {
        StringBuilder sb = new StringBuilder();
        int[] shape = new int[inputShape.length + 1];
        shape[0] = 1;
        System.arraycopy(inputShape, 0, shape, 1, inputShape.length);
        sb.append(String.format("%-28s %-20s %12s%n", "layer", "output", "params"));
        for (Layer l : layers) {
            shape = l.outputShape(shape);
            long params = l.parameters().stream().mapToLong(p -> p.value().size()).sum();
            sb.append(String.format("%-28s %-20s %,12d%n", l.describe(),
                    Arrays.toString(Arrays.copyOfRange(shape, 1, shape.length)), params));
        }
        sb.append(String.format("total parameters: %,d%n", store.count()));
        return sb.toString();
    }
}
