package io.streamnet.serving.frame;

import io.streamnet.engine.backend.Backend;
import io.streamnet.engine.backend.Residency;
import io.streamnet.engine.nn.layer.InferencePlan;
import io.streamnet.engine.nn.layer.Layer;
import io.streamnet.engine.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;

/**
 * A copy of the CNN as inference steps up to the features (fused where layers allow), and its
 * classifier layer; on a device, each pass runs device-resident (the frames go up once, the
 * features and probabilities come back once, the weights stay). {@link #close} frees the device memory.
 */
final class CnnPath implements AutoCloseable {
    private final InferencePlan features;
    private final Layer classifier;
    private final Backend backend;
    private final Residency residency;
    /** What a pass reads and writes: fields, so that a pass allocates no closure. */
    private final Residency.Step step = this::pass;
    private Tensor x;
    private Tensor probs;
    private Tensor out;

    CnnPath(List<Layer> layers, Backend backend) {
        this.backend = backend;
        this.features = InferencePlan.of(layers.subList(0, layers.size() - 1));
        this.classifier = layers.get(layers.size() - 1);
        List<Tensor> weights = new ArrayList<>();
        for (Layer l : layers) {
            weights.addAll(l.residentTensors());
        }
        this.residency = backend.residency(weights);
    }

    /** Inference of {@code x}: the classifier layer's input (returned) and softmax(logits) into {@code probs}. */
    Tensor forward(Tensor x, Tensor probs) {
        this.x = x;
        this.probs = probs;
        try {
            residency.run(step);
            return out;
        } finally {
            this.x = null;
            this.probs = null;
        }
    }

    private void pass(Residency.Scope scope) {
        out = features.run(x);
        backend.softmax(classifier.infer(out), probs);
        scope.keep(out);
        scope.keep(probs);
    }

    @Override
    public void close() {
        residency.close();
    }
}
