package io.streamnet.engine.nn;

import io.streamnet.engine.nn.init.Initializer;
import io.streamnet.engine.tensor.ShapeMismatchException;
import io.streamnet.engine.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * All parameters of a model, by unique name in creation order: the order in which checkpoints
 * store them and optimizers visit them. Besides the trainable parameters it holds named state
 * tensors (e.g. batch norm's running mean and variance): checkpoints carry them, optimizers never
 * see them and {@link #count()} does not count them.
 */
public final class ParameterStore {
    private final Map<String, Parameter> byName = new LinkedHashMap<>();
    private final Map<String, Tensor> states = new LinkedHashMap<>();
    private final Random rng;
    private long budget = Long.MAX_VALUE;
    private long used;

    public ParameterStore(long seed) {
        this.rng = new Random(seed);
    }

    /**
     * At most {@code maxElements} floats in all, checked before each tensor is allocated: a model
     * rebuilt from a checkpoint's architecture may hold no more than the checkpoint carries, so an
     * architecture that claims a huge layer is refused before it can exhaust the heap.
     */
    public ParameterStore limit(long maxElements) {
        if (maxElements < 0) {
            throw new IllegalArgumentException("parameter budget must be >= 0, got " + maxElements);
        }
        this.budget = maxElements;
        return this;
    }

    private void reserve(String name, int... shape) {
        long n = 1;
        for (int d : shape) {
            if (d < 0) {
                throw new IllegalArgumentException("parameter '" + name + "' has a negative dimension: "
                        + Arrays.toString(shape));
            }
            n = d == 0 ? 0 : (n > budget / d ? Long.MAX_VALUE : n * d);
        }
        if (n > budget - used) {
            throw new BudgetExceededException("parameter '" + name + "' of shape " + Arrays.toString(shape)
                    + " exceeds the model's budget of " + budget + " floats (" + used + " already used)");
        }
        used += n;
    }

    /** More parameters than the store's {@link #limit}. */
    public static final class BudgetExceededException extends IllegalArgumentException {
        public BudgetExceededException(String message) {
            super(message);
        }
    }

    /** Creates, initialises and registers a parameter; {@code fanIn}/{@code fanOut} feed the initialiser. */
    public Parameter create(String name, Initializer init, int fanIn, int fanOut, int... shape) {
        requireNewName(name);
        reserve(name, shape);
        Tensor t = Tensor.zeros(shape);
        init.fill(t, fanIn, fanOut, rng);
        Parameter p = new Parameter(name, t);
        byName.put(name, p);
        return p;
    }

    /**
     * Creates and registers a non-trainable state tensor filled with {@code initialValue}: saved and
     * loaded with the weights, updated by its layer rather than by an optimizer.
     */
    public Tensor createState(String name, float initialValue, int... shape) {
        requireNewName(name);
        reserve(name, shape);
        Tensor t = Tensor.zeros(shape).fill(initialValue);
        states.put(name, t);
        return t;
    }

    private void requireNewName(String name) {
        if (byName.containsKey(name) || states.containsKey(name)) {
            throw new IllegalArgumentException("duplicate parameter name '" + name + "'");
        }
    }

    /** The state tensors by name, in creation order. */
    public Map<String, Tensor> states() {
        return Collections.unmodifiableMap(states);
    }

    public List<Parameter> all() {
        return Collections.unmodifiableList(new ArrayList<>(byName.values()));
    }

    public Parameter get(String name) {
        Parameter p = byName.get(name);
        if (p == null) {
            throw new IllegalArgumentException("no parameter '" + name + "'; have " + byName.keySet());
        }
        return p;
    }

    public long count() {
        long n = 0;
        for (Parameter p : byName.values()) {
            n += p.value().size();
        }
        return n;
    }

    public void zeroGrad() {
        byName.values().forEach(Parameter::zeroGrad);
    }

    /** Name -> value views, in order, then the state tensors (for checkpoints). */
    public Map<String, Tensor> values() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        byName.forEach((k, v) -> out.put(k, v.value()));
        out.putAll(states);
        return out;
    }

    /**
     * Copies weights in; every parameter must be present with its exact shape, and no extra names
     * are allowed, so a checkpoint of another architecture is refused rather than half-loaded.
     */
    public void load(Map<String, Tensor> weights) {
        Map<String, Tensor> targets = values();
        for (String name : weights.keySet()) {
            if (!targets.containsKey(name)) {
                throw new ShapeMismatchException("weights hold unknown parameter '" + name + "'; model has " + targets.keySet());
            }
        }
        for (Map.Entry<String, Tensor> e : targets.entrySet()) {
            Tensor w = weights.get(e.getKey());
            if (w == null) {
                throw new ShapeMismatchException("weights lack parameter '" + e.getKey() + "'");
            }
            if (!Arrays.equals(w.shape(), e.getValue().shape())) {
                throw new ShapeMismatchException("parameter '" + e.getKey() + "': model shape " + e.getValue().shapeString()
                        + " vs weights shape " + w.shapeString());
            }
        }
        for (Map.Entry<String, Tensor> e : targets.entrySet()) {
            e.getValue().copyFrom(weights.get(e.getKey()));
        }
    }
}
