package io.streamnet.interop.pytorch;

import io.streamnet.interop.ImportException;
import io.streamnet.interop.Matrices;
import io.streamnet.engine.backend.Backend;
import io.streamnet.engine.nn.Parameter;
import io.streamnet.interop.safetensors.SafeTensors;
import io.streamnet.rnn.cell.CellType;
import io.streamnet.rnn.model.ModelConfig;
import io.streamnet.rnn.model.SequenceModel;
import io.streamnet.rnn.text.Vocabulary;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * A PyTorch recurrent {@code state_dict} onto a {@link SequenceModel}. PyTorch stores
 * {@code weight_ih_l{k}} as (G*H, in) for {@code x W^T}; our cells multiply row vectors, x W_x with
 * W_x (in, G*H), so every weight is transposed. The gate blocks already agree: LSTM (i, f, g, o)
 * and GRU (r, z, n) in both. Biases: an LSTM's and a vanilla RNN's two bias vectors only ever add,
 * so they become our one b = b_ih + b_hh; a GRU's b_hn sits inside r * (W_hn h + b_hn), and we keep
 * b_ih and b_hh apart as PyTorch does (our bx and bh). {@code nn.Linear}'s (out, H) weight becomes
 * our head (H, out). Every tensor of the file must be used and be finite: a bidirectional stack,
 * projections ({@code proj_size}) or any other module are refused by tensor name.
 */
public final class RecurrentImport {
    private RecurrentImport() {
    }

    /** The model and its vocabulary (null for feature input). */
    public record Imported(SequenceModel model, Vocabulary vocabulary) {
    }

    public static Imported toModel(Backend backend, Map<String, SafeTensors.Tensor> tensors, RecurrentArch arch)
            throws ImportException {
        Set<String> used = new HashSet<>();
        CellType cell = arch.cell();
        int gates = cell.gates();
        int layers = 0;
        while (tensors.containsKey(Names.layer(arch.recurrent(), "weight_ih", layers))) {
            layers++;
        }
        if (layers == 0) {
            throw new ImportException("no tensor " + Names.layer(arch.recurrent(), "weight_ih", 0) + ": is '"
                    + arch.recurrent() + "' the name of the " + cell + " module? The file holds " + new TreeSet<>(
                    tensors.keySet()));
        }
        SafeTensors.Tensor ih0 = need(tensors, used, Names.layer(arch.recurrent(), "weight_ih", 0), 2);
        if (ih0.shape()[0] % gates != 0) {
            throw new ImportException(Names.layer(arch.recurrent(), "weight_ih", 0) + " " + ih0.shapeString()
                    + ": rows are not " + gates + " gate blocks of a " + cell);
        }
        int hidden = ih0.shape()[0] / gates;
        int input = ih0.shape()[1];
        SafeTensors.Tensor headW = need(tensors, used, arch.head() + ".weight", 2);
        int outputs = headW.shape()[0];
        if (headW.shape()[1] != hidden) {
            throw new ImportException(arch.head() + ".weight " + headW.shapeString() + " does not read the " + hidden
                    + " hidden units");
        }
        ModelConfig config;
        SafeTensors.Tensor emb = null;
        if (arch.tokenInput()) {
            emb = need(tensors, used, arch.embedding() + ".weight", 2);
            if (emb.shape()[1] != input) {
                throw new ImportException(arch.embedding() + ".weight " + emb.shapeString() + " does not feed the "
                        + input + " inputs of " + Names.layer(arch.recurrent(), "weight_ih", 0));
            }
            if (arch.vocabulary() == null) {
                throw new ImportException("a token model needs the ARCH's \"vocabulary\": its tokens in id order, "
                        + Vocabulary.OOV + " first");
            }
            if (arch.vocabulary().size() != emb.shape()[0]) {
                throw new ImportException("the ARCH's vocabulary has " + arch.vocabulary().size() + " tokens, "
                        + arch.embedding() + ".weight " + emb.shape()[0] + " rows");
            }
        }
        try {
            // the sizes come from the file's shapes: a zero one is the file's fault, refused as an import
            config = arch.tokenInput() ? new ModelConfig(cell, emb.shape()[0], input, 0, hidden, layers, 0f, outputs,
                    arch.task(), arch.output())
                    : ModelConfig.features(cell, input, hidden, layers, 0f, outputs, arch.task(), arch.output());
        } catch (IllegalArgumentException e) {
            throw new ImportException("the tensors do not make a " + cell + " model: " + e.getMessage(), e);
        }
        long total = 0;
        for (SafeTensors.Tensor t : tensors.values()) {
            total += t.size();
        }
        // biases a module was built without (bias=False) are the only weights the model holds beyond the file's
        total += (long) layers * 2 * gates * hidden + outputs;
        SequenceModel model;
        try {
            // the architecture may hold no more weights than that, checked as each is allocated
            model = new SequenceModel(backend, config, 0L, total);
        } catch (IllegalArgumentException e) {
            throw new ImportException("the tensors do not make a " + cell + " model: " + e.getMessage(), e);
        }
        if (emb != null) {
            set(model, "embedding", emb.values(), emb.shape()[0], emb.shape()[1]);
        }
        for (int l = 0; l < layers; l++) {
            int in = l == 0 ? input : hidden;
            String p = "enc" + l;
            SafeTensors.Tensor ih = need(tensors, used, Names.layer(arch.recurrent(), "weight_ih", l), 2);
            SafeTensors.Tensor hh = need(tensors, used, Names.layer(arch.recurrent(), "weight_hh", l), 2);
            shape(Names.layer(arch.recurrent(), "weight_ih", l), ih, gates * hidden, in);
            shape(Names.layer(arch.recurrent(), "weight_hh", l), hh, gates * hidden, hidden);
            set(model, p + ".wx", Matrices.transpose(ih.values(), gates * hidden, in), in, gates * hidden);
            set(model, p + ".wh", Matrices.transpose(hh.values(), gates * hidden, hidden), hidden, gates * hidden);
            float[] bih = bias(tensors, used, Names.layer(arch.recurrent(), "bias_ih", l), gates * hidden);
            float[] bhh = bias(tensors, used, Names.layer(arch.recurrent(), "bias_hh", l), gates * hidden);
            if (cell == CellType.GRU) {
                set(model, p + ".bx", bih, gates * hidden);
                set(model, p + ".bh", bhh, gates * hidden);
            } else {
                float[] b = new float[gates * hidden];
                for (int i = 0; i < b.length; i++) {
                    b[i] = bih[i] + bhh[i];
                }
                set(model, p + ".b", b, gates * hidden);
            }
        }
        set(model, "head.w", Matrices.transpose(headW.values(), outputs, hidden), hidden, outputs);
        set(model, "head.b", bias(tensors, used, arch.head() + ".bias", outputs), outputs);
        Set<String> left = new TreeSet<>(tensors.keySet());
        left.removeAll(used);
        if (!left.isEmpty()) {
            throw new ImportException("tensors not part of a " + layers + "-layer unidirectional " + cell
                    + " with the ARCH's modules (bidirectional stacks, proj_size and other modules are not supported): "
                    + left);
        }
        for (Parameter prm : model.parameters()) {
            if (prm.value().hasNonFinite()) {
                throw new ImportException("the weights of " + prm.name() + " hold NaN or infinity");
            }
        }
        return new Imported(model, arch.vocabulary());
    }

    private static SafeTensors.Tensor need(Map<String, SafeTensors.Tensor> tensors, Set<String> used, String name,
                                           int rank) throws ImportException {
        SafeTensors.Tensor t = tensors.get(name);
        if (t == null) {
            throw new ImportException("no tensor " + name + " in the file");
        }
        if (t.shape().length != rank) {
            throw new ImportException(name + " " + t.shapeString() + " should have " + rank + " dimensions");
        }
        used.add(name);
        return t;
    }

    private static void shape(String name, SafeTensors.Tensor t, int rows, int cols) throws ImportException {
        if (t.shape()[0] != rows || t.shape()[1] != cols) {
            throw new ImportException(name + " " + t.shapeString() + " should be [" + rows + ", " + cols + "]");
        }
    }

    /** A bias vector of {@code n}, or zeros where the module has none ({@code bias=False}). */
    private static float[] bias(Map<String, SafeTensors.Tensor> tensors, Set<String> used, String name, int n)
            throws ImportException {
        SafeTensors.Tensor t = tensors.get(name);
        if (t == null) {
            return new float[n];
        }
        if (t.shape().length != 1 || t.shape()[0] != n) {
            throw new ImportException(name + " " + t.shapeString() + " should be [" + n + "]");
        }
        used.add(name);
        return t.values();
    }

    private static void set(SequenceModel model, String name, float[] values, int... shape) throws ImportException {
        io.streamnet.engine.tensor.Tensor t = model.store().get(name).value();
        if (!Arrays.equals(t.shape(), shape)) {
            throw new ImportException("internal: " + name + " is " + t.shapeString() + ", not " + Arrays.toString(shape));
        }
        System.arraycopy(values, 0, t.data(), t.offset(), values.length);
    }
}
