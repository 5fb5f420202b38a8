package io.streamnet.interop;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.streamnet.engine.nn.layer.Sequential;
import io.streamnet.engine.tensor.Tensor;
import io.streamnet.interop.safetensors.SafeTensors;
import io.streamnet.rnn.model.SequenceModel;
import io.streamnet.rnn.state.StateBatch;
import io.streamnet.rnn.text.Vocabulary;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** PyTorch's fixtures (src/test/python/make_fixtures.py) and how our models are run against them. */
public final class Fixtures {
    public static final Path ROOT = Path.of("src/test/resources");
    /** float32 round-off over a few layers and steps; a wrong gate order or transpose is off by ~0.1. */
    public static final double TOLERANCE = 2e-5;

    private Fixtures() {
    }

    public static SafeTensors.Contents io(String dir, String fixture) throws Exception {
        return SafeTensors.read(ROOT.resolve(dir).resolve(fixture + ".io.safetensors"), SafeTensors.Limits.DEFAULTS);
    }

    /** The fixtures' word vocabulary: &lt;unk&gt;, w1 .. w19. */
    public static Vocabulary vocabulary() throws Exception {
        List<String> tokens = new ArrayList<>(List.of(Vocabulary.OOV));
        for (int i = 1; i < 20; i++) {
            tokens.add("w" + i);
        }
        return Vocabulary.fromJson(new ObjectMapper().valueToTree(java.util.Map.of("kind", "word", "tokens", tokens)));
    }

    /**
     * Steps every key of {@code inputs} (B, T) tokens or (B, T, F) features through the streaming step
     * API and returns the largest difference from {@code want}: (B, T, O) at every step, or (B, O)
     * at the last.
     */
    public static double largestStepDifference(SequenceModel model, SafeTensors.Tensor in, SafeTensors.Tensor want) {
        int keys = in.shape()[0];
        int steps = in.shape()[1];
        boolean everyStep = want.shape().length == 3;
        int outs = want.shape()[want.shape().length - 1];
        if (outs != model.config().outputSize()) {
            throw new AssertionError("PyTorch has " + outs + " outputs, the model " + model.config().outputSize());
        }
        int width = model.config().tokenInput() ? 1 : in.shape()[2];
        StateBatch states = model.newStateBatch(keys);
        double worst = 0;
        for (int t = 0; t < steps; t++) {
            int[] tokens = new int[keys];
            Tensor features = Tensor.zeros(keys, width);
            for (int b = 0; b < keys; b++) {
                if (model.config().tokenInput()) {
                    tokens[b] = (int) in.values()[b * steps + t];
                } else {
                    for (int f = 0; f < width; f++) {
                        features.put(b * width + f, in.values()[(b * steps + t) * width + f]);
                    }
                }
            }
            model.stepBatch(states, keys, model.config().tokenInput() ? tokens : null,
                    model.config().tokenInput() ? null : features);
            if (!everyStep && t < steps - 1) {
                continue;
            }
            for (int b = 0; b < keys; b++) {
                Tensor got = states.output(b);
                for (int o = 0; o < outs; o++) {
                    int at = everyStep ? (b * steps + t) * outs + o : b * outs + o;
                    worst = Math.max(worst, Math.abs(got.at(o) - want.values()[at]));
                }
            }
        }
        return worst;
    }

    /** The CNN on (N, C, H, W) {@code images}: the largest difference from PyTorch's logits or probabilities. */
    public static double largestDifference(Sequential cnn, SafeTensors.Tensor images, SafeTensors.Tensor want,
                                           boolean probabilities) {
        Tensor x = Tensor.zeros(images.shape());
        System.arraycopy(images.values(), 0, x.data(), x.offset(), images.values().length);
        Tensor y = cnn.infer(x);
        int n = want.shape()[0];
        int k = want.shape()[1];
        double worst = 0;
        for (int i = 0; i < n; i++) {
            double max = Double.NEGATIVE_INFINITY;
            for (int j = 0; j < k; j++) {
                max = Math.max(max, y.at(i * k + j));
            }
            double sum = 0;
            for (int j = 0; j < k; j++) {
                sum += Math.exp(y.at(i * k + j) - max);
            }
            for (int j = 0; j < k; j++) {
                double got = probabilities ? Math.exp(y.at(i * k + j) - max) / sum : y.at(i * k + j);
                worst = Math.max(worst, Math.abs(got - want.values()[i * k + j]));
            }
        }
        return worst;
    }
}
