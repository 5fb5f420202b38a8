package io.streamnet.interop.pytorch;

import io.streamnet.interop.ImportException;
import io.streamnet.interop.Matrices;
import io.streamnet.interop.safetensors.DType;
import io.streamnet.interop.safetensors.SafeTensors;
import io.streamnet.rnn.cell.CellType;
import io.streamnet.rnn.model.ModelConfig;
import io.streamnet.rnn.model.OutputType;
import io.streamnet.rnn.model.SequenceModel;
import io.streamnet.rnn.text.Vocabulary;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * A {@link SequenceModel} as a PyTorch {@code state_dict} under the ARCH's module names, the inverse
 * of {@link RecurrentImport}: weights transposed back to (G*H, in), an LSTM's or RNN's one bias as
 * {@code bias_ih} with a zero {@code bias_hh} (PyTorch adds the two), a GRU's two as they are.
 */
public final class RecurrentExport {
    private RecurrentExport() {
    }

    /** The ARCH an export writes when the user names no modules: embedding, rnn/lstm/gru, fc. */
    public static RecurrentArch defaultArch(ModelConfig c, Vocabulary vocabulary) {
        return new RecurrentArch(c.cell(), c.tokenInput() ? "embedding" : null, c.cell().name().toLowerCase(Locale.ROOT),
                "fc", c.task(), c.outputType(), vocabulary);
    }

    public static Map<String, SafeTensors.Tensor> toStateDict(SequenceModel model, RecurrentArch arch)
            throws ImportException {
        ModelConfig c = model.config();
        if (c.outputType() != OutputType.MANY_TO_ONE && c.outputType() != OutputType.MANY_TO_MANY) {
            throw new ImportException("only many_to_one and many_to_many models export, not " + c.outputType());
        }
        if (arch.cell() != c.cell() || arch.tokenInput() != c.tokenInput()) {
            throw new ImportException("the ARCH describes a " + arch.cell() + (arch.tokenInput() ? " on tokens" : " on features")
                    + ", the model is a " + c.cell() + (c.tokenInput() ? " on tokens" : " on features"));
        }
        int gates = c.cell().gates();
        int h = c.hidden();
        Map<String, SafeTensors.Tensor> out = new LinkedHashMap<>();
        if (c.tokenInput()) {
            out.put(arch.embedding() + ".weight", tensor(values(model, "embedding"), c.vocabSize(), c.embeddingDim()));
        }
        for (int l = 0; l < c.layers(); l++) {
            int in = l == 0 ? c.stepInputSize() : h;
            String p = "enc" + l;
            out.put(Names.layer(arch.recurrent(), "weight_ih", l),
                    tensor(Matrices.transpose(values(model, p + ".wx"), in, gates * h), gates * h, in));
            out.put(Names.layer(arch.recurrent(), "weight_hh", l),
                    tensor(Matrices.transpose(values(model, p + ".wh"), h, gates * h), gates * h, h));
            if (c.cell() == CellType.GRU) {
                out.put(Names.layer(arch.recurrent(), "bias_ih", l), tensor(values(model, p + ".bx"), gates * h));
                out.put(Names.layer(arch.recurrent(), "bias_hh", l), tensor(values(model, p + ".bh"), gates * h));
            } else {
                out.put(Names.layer(arch.recurrent(), "bias_ih", l), tensor(values(model, p + ".b"), gates * h));
                out.put(Names.layer(arch.recurrent(), "bias_hh", l), tensor(new float[gates * h], gates * h));
            }
        }
        out.put(arch.head() + ".weight", tensor(Matrices.transpose(values(model, "head.w"), h, c.outputSize()),
                c.outputSize(), h));
        out.put(arch.head() + ".bias", tensor(values(model, "head.b"), c.outputSize()));
        return out;
    }

    private static float[] values(SequenceModel m, String name) {
        return m.store().get(name).value().toArray();
    }

    private static SafeTensors.Tensor tensor(float[] v, int... shape) {
        return new SafeTensors.Tensor(DType.F32, shape, v);
    }
}
