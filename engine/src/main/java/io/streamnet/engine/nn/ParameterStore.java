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
 * store them and optimizers visit them.
 */
public final class ParameterStore {
    private final Map<String, Parameter> byName = new LinkedHashMap<>();
    private final Random rng;

    public ParameterStore(long seed) {
        this.rng = new Random(seed);
    }

    /** Creates, initialises and registers a parameter; {@code fanIn}/{@code fanOut} feed the initialiser. */
    public Parameter create(String name, Initializer init, int fanIn, int fanOut, int... shape) {
        if (byName.containsKey(name)) {
            throw new IllegalArgumentException("duplicate parameter name '" + name + "'");
        }
        Tensor t = Tensor.zeros(shape);
        init.fill(t, fanIn, fanOut, rng);
        Parameter p = new Parameter(name, t);
        byName.put(name, p);
        return p;
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

    /** Name -> value views, in order (for checkpoints). */
    public Map<String, Tensor> values() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        byName.forEach((k, v) -> out.put(k, v.value()));
        return out;
    }

    /**
     * Copies weights in; every parameter must be present with its exact shape, and no extra names
     * are allowed, so a checkpoint of another architecture is refused rather than half-loaded.
     */
    public void load(Map<String, Tensor> weights) {
        for (String name : weights.keySet()) {
            if (!byName.containsKey(name)) {
                throw new ShapeMismatchException("weights hold unknown parameter '" + name + "'; model has " + byName.keySet());
            }
        }
        for (Parameter p : byName.values()) {
            Tensor w = weights.get(p.name());
            if (w == null) {
                throw new ShapeMismatchException("weights lack parameter '" + p.name() + "'");
            }
            if (!Arrays.equals(w.shape(), p.value().shape())) {
                throw new ShapeMismatchException("parameter '" + p.name() + "': model shape " + p.value().shapeString()
                        + " vs weights shape " + w.shapeString());
            }
        }
        for (Parameter p : byName.values()) {
            p.value().copyFrom(weights.get(p.name()));
        }
    }
}
