package io.streamnet.interop.cnn;

import com.fasterxml.jackson.databind.JsonNode;
import io.streamnet.interop.ImportException;
import io.streamnet.interop.safetensors.SafeTensors;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The ARCH file of a PyTorch CNN ({@code "family": "cnn"}): a state_dict holds the weights but not
 * the strides, padding, pools and activations between them, so the ARCH lists the layers in order
 * and names the module of each weighted one; kernel sizes, channels and widths are read from the
 * tensors. Example (LeNet-5 as an {@code nn.Sequential} named features/classifier; docs/import.md
 * has the full format and a ResNet):
 * <pre>{"format": "streamnet-arch/1", "family": "cnn", "input": [1, 28, 28], "layers": [
 *   {"type": "conv", "module": "features.0", "pad": 2}, {"type": "relu"}, {"type": "maxpool", "kernel": 2},
 *   {"type": "conv", "module": "features.3"}, {"type": "relu"}, {"type": "maxpool", "kernel": 2},
 *   {"type": "flatten"}, {"type": "linear", "module": "classifier.0"}, {"type": "relu"},
 *   {"type": "linear", "module": "classifier.2"}, {"type": "relu"}, {"type": "linear", "module": "classifier.4"}]}</pre>
 * A {@code "residual"} layer names a torchvision BasicBlock ({@code conv1}, {@code bn1},
 * {@code conv2}, {@code bn2}, and {@code downsample.0}/{@code downsample.1} when it projects) and
 * its {@code "stride"}. Every tensor of the file must be used, except batch norms'
 * {@code num_batches_tracked} counters.
 */
public final class CnnArch {
    private static final Set<String> FIELDS = Set.of("format", "family", "input", "layers", "comment");
    private static final Set<String> TYPES = Set.of("conv", "batchnorm", "relu", "maxpool", "avgpool", "globalavgpool",
            "flatten", "linear", "residual");

    private CnnArch() {
    }

    /** The model's input (C, H, W) and its layers with the file's tensors resolved. */
    public record Resolved(int[] input, List<CnnLayer> layers) {
    }

    public static Resolved resolve(JsonNode arch, Map<String, SafeTensors.Tensor> tensors) throws ImportException {
        for (var it = arch.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!FIELDS.contains(f)) {
                throw new ImportException("ARCH has an unknown field '" + f + "' (a cnn ARCH has " + FIELDS + ")");
            }
        }
        JsonNode in = arch.get("input");
        if (in == null || !in.isArray() || in.size() != 3) {
            throw new ImportException("a cnn ARCH needs \"input\": [channels, height, width]");
        }
        int[] input = new int[3];
        for (int i = 0; i < 3; i++) {
            input[i] = positive(in.get(i), "input");
        }
        JsonNode ls = arch.get("layers");
        if (ls == null || !ls.isArray() || ls.isEmpty()) {
            throw new ImportException("a cnn ARCH needs \"layers\": a list of {\"type\": ...}");
        }
        Set<String> used = new HashSet<>();
        List<CnnLayer> layers = new ArrayList<>();
        for (JsonNode l : ls) {
            layers.add(layer(l, tensors, used));
        }
        Set<String> left = new TreeSet<>(tensors.keySet());
        left.removeAll(used);
        left.removeIf(n -> n.endsWith(".num_batches_tracked"));
        if (!left.isEmpty()) {
            throw new ImportException("tensors the ARCH's layers do not use: " + left);
        }
        return new Resolved(input, layers);
    }

    private static CnnLayer layer(JsonNode l, Map<String, SafeTensors.Tensor> t, Set<String> used)
            throws ImportException {
        String type = l.path("type").asText("");
        if (!TYPES.contains(type)) {
            throw new ImportException("ARCH layer " + l + ": \"type\" must be one of " + new TreeSet<>(TYPES));
        }
        return switch (type) {
            case "conv" -> conv(module(l), t, used, intField(l, "stride", 1), intField(l, "pad", 0));
            case "batchnorm" -> batchNorm(module(l), t, used, (float) l.path("eps").asDouble(1e-5));
            case "relu" -> new CnnLayer.Relu();
            case "maxpool", "avgpool" -> {
                int k = intField(l, "kernel", -1);
                if (k <= 0) {
                    throw new ImportException("ARCH layer " + l + " needs a positive \"kernel\"");
                }
                int s = intField(l, "stride", k);
                yield type.equals("maxpool") ? new CnnLayer.MaxPool(k, s) : new CnnLayer.AvgPool(k, s);
            }
            case "globalavgpool" -> new CnnLayer.GlobalAvgPool();
            case "flatten" -> new CnnLayer.Flatten();
            case "linear" -> {
                String m = module(l);
                yield new CnnLayer.Linear(m, need(t, used, m + ".weight"), optional(t, used, m + ".bias"));
            }
            default -> {
                String m = module(l);
                int s = intField(l, "stride", 1);
                boolean proj = t.containsKey(m + ".downsample.0.weight");
                yield new CnnLayer.Residual(m, conv(m + ".conv1", t, used, s, 1), batchNorm(m + ".bn1", t, used, 1e-5f),
                        conv(m + ".conv2", t, used, 1, 1), batchNorm(m + ".bn2", t, used, 1e-5f),
                        proj ? conv(m + ".downsample.0", t, used, s, 0) : null,
                        proj ? batchNorm(m + ".downsample.1", t, used, 1e-5f) : null);
            }
        };
    }

    private static CnnLayer.Conv conv(String m, Map<String, SafeTensors.Tensor> t, Set<String> used, int stride, int pad)
            throws ImportException {
        return new CnnLayer.Conv(m, need(t, used, m + ".weight"), optional(t, used, m + ".bias"), stride, pad);
    }

    private static CnnLayer.BatchNorm batchNorm(String m, Map<String, SafeTensors.Tensor> t, Set<String> used, float eps)
            throws ImportException {
        return new CnnLayer.BatchNorm(m, need(t, used, m + ".weight"), need(t, used, m + ".bias"),
                need(t, used, m + ".running_mean"), need(t, used, m + ".running_var"), eps);
    }

    private static SafeTensors.Tensor need(Map<String, SafeTensors.Tensor> t, Set<String> used, String name)
            throws ImportException {
        SafeTensors.Tensor v = t.get(name);
        if (v == null) {
            throw new ImportException("no tensor " + name + " in the file");
        }
        used.add(name);
        return v;
    }

    private static SafeTensors.Tensor optional(Map<String, SafeTensors.Tensor> t, Set<String> used, String name) {
        SafeTensors.Tensor v = t.get(name);
        if (v != null) {
            used.add(name);
        }
        return v;
    }

    private static String module(JsonNode l) throws ImportException {
        JsonNode m = l.get("module");
        if (m == null || !m.isTextual() || m.asText().isBlank()) {
            throw new ImportException("ARCH layer " + l + " needs \"module\": the PyTorch module holding its weights");
        }
        return m.asText();
    }

    private static int intField(JsonNode l, String f, int orElse) throws ImportException {
        JsonNode v = l.get(f);
        if (v == null) {
            return orElse;
        }
        if (!v.canConvertToInt() || v.asInt() < 0) {
            throw new ImportException("ARCH layer " + l + ": \"" + f + "\" must be a non-negative integer");
        }
        return v.asInt();
    }

    private static int positive(JsonNode v, String f) throws ImportException {
        if (v == null || !v.canConvertToInt() || v.asInt() <= 0) {
            throw new ImportException("ARCH \"" + f + "\" must hold positive integers");
        }
        return v.asInt();
    }
}
