package io.streamnet.engine.nn.layer;

import io.streamnet.engine.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;

/**
 * The inference steps of a chain of layers: a {@link FusingLayer} takes over the layers after it
 * that it can compute in its own pass, every other layer runs {@link Layer#infer}. Planned once,
 * from the layer types; the fused layers read their parameters on every call, so weight updates
 * are seen at once.
 */
public final class InferencePlan {
    private final List<Layer> steps = new ArrayList<>();
    private final List<List<Layer>> fused = new ArrayList<>();

    private InferencePlan(List<Layer> layers) {
        for (int i = 0; i < layers.size(); i++) {
            Layer l = layers.get(i);
            List<Layer> f = List.of();
            if (l instanceof FusingLayer fl) {
                int k = Math.max(0, Math.min(fl.fusable(layers.subList(i + 1, layers.size())), layers.size() - i - 1));
                f = List.copyOf(layers.subList(i + 1, i + 1 + k));
            }
            steps.add(l);
            fused.add(f);
            i += f.size();
        }
    }

    public static InferencePlan of(List<Layer> layers) {
        return new InferencePlan(layers);
    }

    public Tensor run(Tensor x) {
        for (int i = 0; i < steps.size(); i++) {
            List<Layer> f = fused.get(i);
            x = f.isEmpty() ? steps.get(i).infer(x) : ((FusingLayer) steps.get(i)).forwardFused(x, f);
        }
        return x;
    }

    /** How many steps inference takes (fewer than the layers when some were fused). */
    public int steps() {
        return steps.size();
    }
}
