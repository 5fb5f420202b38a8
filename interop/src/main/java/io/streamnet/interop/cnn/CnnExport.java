package io.streamnet.interop.cnn;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.streamnet.engine.nn.layer.Layer;
import io.streamnet.engine.nn.layer.Sequential;
import io.streamnet.engine.tensor.Tensor;
import io.streamnet.interop.ImportException;
import io.streamnet.interop.Matrices;
import io.streamnet.interop.safetensors.SafeTensors;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A streamnet CNN as a PyTorch {@code state_dict} and its cnn ARCH, the inverse of
 * {@link CnnImport}: a convolution's (F, C, k, k) weight as it is, a dense layer's (in, out) as
 * {@code nn.Linear}'s (out, in), batch norms as {@code weight}, {@code bias}, {@code running_mean},
 * {@code running_var}, a residual block under torchvision's BasicBlock names. Module names come
 * from a given ARCH (the one a model was imported with, so that it returns to the user's own
 * module), else {@code layers.N}: what an {@code nn.Sequential} named {@code layers} would hold.
 */
public final class CnnExport {
    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

    private CnnExport() {
    }

    public record Exported(Map<String, SafeTensors.Tensor> stateDict, ObjectNode arch) {
    }

    /** {@code names}: an ARCH whose layers match the model's one for one, or null. */
    public static Exported toStateDict(Sequential model, JsonNode names) throws ImportException {
        List<Layer> layers = model.layers();
        JsonNode given = names == null ? null : names.get("layers");
        if (given != null && given.size() != layers.size()) {
            throw new ImportException("the ARCH lists " + given.size() + " layers, the model has " + layers.size());
        }
        Map<String, Tensor> store = model.store().values();
        Map<String, SafeTensors.Tensor> sd = new LinkedHashMap<>();
        ObjectNode arch = JSON.objectNode();
        arch.put("format", "streamnet-arch/1");
        arch.put("family", "cnn");
        ArrayNode input = arch.putArray("input");
        for (int d : model.inputShape()) {
            input.add(d);
        }
        ArrayNode out = arch.putArray("layers");
        for (int i = 0; i < layers.size(); i++) {
            JsonNode spec = layers.get(i).spec();
            String ours = "l" + i;
            String module = given != null && given.get(i).hasNonNull("module") ? given.get(i).get("module").asText()
                    : "layers." + i;
            ObjectNode l = out.addObject();
            String type = spec.path("type").asText();
            switch (type) {
                case "conv2d" -> {
                    expect(given, i, "conv");
                    l.put("type", "conv").put("module", module).put("stride", spec.get("stride").asInt())
                            .put("pad", spec.get("pad").asInt());
                    sd.put(module + ".weight", copy(store.get(ours + ".weight")));
                    if (spec.path("bias").asBoolean(true)) {
                        sd.put(module + ".bias", copy(store.get(ours + ".bias")));
                    }
                }
                case "batchnorm" -> {
                    expect(given, i, "batchnorm");
                    l.put("type", "batchnorm").put("module", module).put("eps", Double.parseDouble(Float.toString((float) spec.get("epsilon").asDouble())));
                    norm(sd, store, ours, module);
                }
                case "activation" -> {
                    if (!spec.path("fn").asText().equals("relu")) {
                        throw new ImportException("layer " + i + " is a " + spec.path("fn").asText()
                                + " activation: only ReLU has a place in a cnn ARCH");
                    }
                    expect(given, i, "relu");
                    l.put("type", "relu");
                }
                case "maxpool2d", "avgpool2d" -> {
                    String t = type.equals("maxpool2d") ? "maxpool" : "avgpool";
                    boolean global = given != null && given.get(i).path("type").asText().equals("globalavgpool");
                    if (!global) {
                        expect(given, i, t);
                        l.put("type", t).put("kernel", spec.get("window").asInt()).put("stride", spec.get("stride").asInt());
                    } else {
                        l.put("type", "globalavgpool");
                    }
                }
                case "flatten" -> {
                    expect(given, i, "flatten");
                    l.put("type", "flatten");
                }
                case "dense" -> {
                    expect(given, i, "linear");
                    l.put("type", "linear").put("module", module);
                    int in = spec.get("in").asInt();
                    int o = spec.get("out").asInt();
                    sd.put(module + ".weight", CnnImport.tensor(Matrices.transpose(store.get(ours + ".weight").toArray(),
                            in, o), o, in));
                    sd.put(module + ".bias", copy(store.get(ours + ".bias")));
                }
                case "residual" -> {
                    expect(given, i, "residual");
                    l.put("type", "residual").put("module", module).put("stride", spec.get("stride").asInt());
                    sd.put(module + ".conv1.weight", copy(store.get(ours + ".conv1.weight")));
                    norm(sd, store, ours + ".bn1", module + ".bn1");
                    sd.put(module + ".conv2.weight", copy(store.get(ours + ".conv2.weight")));
                    norm(sd, store, ours + ".bn2", module + ".bn2");
                    if (store.containsKey(ours + ".proj.weight")) {
                        sd.put(module + ".downsample.0.weight", copy(store.get(ours + ".proj.weight")));
                        norm(sd, store, ours + ".proj_bn", module + ".downsample.1");
                    }
                }
                default -> throw new ImportException("layer " + i + " (" + type + ") has no PyTorch counterpart here");
            }
        }
        return new Exported(sd, arch);
    }

    private static void expect(JsonNode given, int i, String type) throws ImportException {
        if (given != null && !given.get(i).path("type").asText().equals(type)) {
            throw new ImportException("the ARCH's layer " + i + " is " + given.get(i) + ", the model's is a " + type);
        }
    }

    private static void norm(Map<String, SafeTensors.Tensor> sd, Map<String, Tensor> store, String ours, String module) {
        sd.put(module + ".weight", copy(store.get(ours + ".gamma")));
        sd.put(module + ".bias", copy(store.get(ours + ".beta")));
        sd.put(module + ".running_mean", copy(store.get(ours + ".running_mean")));
        sd.put(module + ".running_var", copy(store.get(ours + ".running_var")));
    }

    private static SafeTensors.Tensor copy(Tensor t) {
        return CnnImport.tensor(t.toArray(), t.shape());
    }
}
