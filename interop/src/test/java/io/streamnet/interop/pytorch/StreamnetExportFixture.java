package io.streamnet.interop.pytorch;

import io.streamnet.engine.checkpoint.Checkpoint;
import io.streamnet.engine.checkpoint.Checkpoints;
import io.streamnet.engine.cpu.CpuBackend;
import io.streamnet.engine.nn.ModelCheckpoints;
import io.streamnet.engine.nn.layer.Sequential;
import io.streamnet.interop.cnn.CnnExport;
import io.streamnet.engine.tensor.Tensor;
import io.streamnet.interop.safetensors.DType;
import io.streamnet.interop.safetensors.SafeTensors;
import io.streamnet.rnn.model.RnnCheckpoints;
import io.streamnet.rnn.model.SequenceModel;
import io.streamnet.rnn.state.StateBatch;
import io.streamnet.rnn.text.Vocabulary;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Makes the fixture of a streamnet-trained model going to PyTorch: its export (safetensors + ARCH)
 * and streamnet's own outputs, stepped through the streaming API on fixed inputs, which
 * {@code make_fixtures.py check} compares with what PyTorch computes from the export.
 * Run: {@code java ... StreamnetExportFixture MODEL.ckpt DIR NAME}.
 */
public final class StreamnetExportFixture {
    /** Three keys' text, one character per event (the char model's inputs). */
    static final String[] LINES = {"ROMEO: But soft, what li", "JULIET: O Romeo, Romeo! ", "First Citizen: Before w"};

    private StreamnetExportFixture() {
    }

    public static void main(String[] args) throws Exception {
        Checkpoint parsed = Checkpoints.read(Path.of(args[0]));
        if (Sequential.TYPE.equals(parsed.architecture().path("type").asText())) {
            cnn(ModelCheckpoints.fromCheckpoint(CpuBackend.instance(), parsed), Path.of(args[1]), args[2]);
            return;
        }
        RnnCheckpoints.Loaded loaded = RnnCheckpoints.load(CpuBackend.instance(), Path.of(args[0]));
        Path dir = Path.of(args[1]);
        String name = args[2];
        SequenceModel model = loaded.model();
        RecurrentArch arch = RecurrentExport.defaultArch(model.config(), loaded.vocabulary());
        SafeTensors.write(dir.resolve(name + ".safetensors"), RecurrentExport.toStateDict(model, arch),
                Map.of("made_by", "StreamnetExportFixture", "trained_by", "streamnet train charlm"));
        Files.writeString(dir.resolve(name + ".arch.json"), arch.toJson().toPrettyString() + "\n");
        Map<String, SafeTensors.Tensor> io = new LinkedHashMap<>();
        int keys = LINES.length;
        int steps = 23;
        float[] inputs = new float[keys * steps];
        Vocabulary v = loaded.vocabulary();
        for (int b = 0; b < keys; b++) {
            int[] ids = v.encode(LINES[b].substring(0, steps));
            for (int t = 0; t < steps; t++) {
                inputs[b * steps + t] = ids[t];
            }
        }
        int outs = model.config().outputSize();
        float[] outputs = new float[keys * steps * outs];
        StateBatch states = model.newStateBatch(keys);
        for (int t = 0; t < steps; t++) {
            int[] tokens = new int[keys];
            for (int b = 0; b < keys; b++) {
                tokens[b] = (int) inputs[b * steps + t];
            }
            model.stepBatch(states, keys, tokens, null);
            for (int b = 0; b < keys; b++) {
                Tensor y = states.output(b);
                for (int o = 0; o < outs; o++) {
                    outputs[(b * steps + t) * outs + o] = y.at(o);
                }
            }
        }
        io.put("inputs", new SafeTensors.Tensor(DType.F32, new int[] {keys, steps}, inputs));
        io.put("outputs", new SafeTensors.Tensor(DType.F32, new int[] {keys, steps, outs}, outputs));
        SafeTensors.write(dir.resolve(name + ".io.safetensors"), io, Map.of("outputs_by", "streamnet"));
        System.out.printf("%s: %s, %d parameters, outputs [%d, %d, %d]%n", name, model.config().cell(),
                model.store().count(), keys, steps, outs);
    }

    /** A CNN's export and its logits on 8 seeded uniform images. */
    static void cnn(Sequential cnn, Path dir, String name) throws Exception {
        CnnExport.Exported e = CnnExport.toStateDict(cnn, null);
        SafeTensors.write(dir.resolve(name + ".safetensors"), e.stateDict(), Map.of("made_by", "StreamnetExportFixture"));
        Files.writeString(dir.resolve(name + ".arch.json"), e.arch().toPrettyString() + "\n");
        int[] in = cnn.inputShape();
        int n = 8;
        Tensor x = Tensor.zeros(n, in[0], in[1], in[2]);
        java.util.Random r = new java.util.Random(7);
        for (int i = 0; i < x.size(); i++) {
            x.put(i, r.nextFloat());
        }
        Tensor y = cnn.infer(x);
        Map<String, SafeTensors.Tensor> io = new LinkedHashMap<>();
        io.put("inputs", new SafeTensors.Tensor(DType.F32, x.shape(), x.toArray()));
        io.put("logits", new SafeTensors.Tensor(DType.F32, y.shape(), y.toArray()));
        SafeTensors.write(dir.resolve(name + ".io.safetensors"), io, Map.of("outputs_by", "streamnet"));
        System.out.printf("%s: CNN, %d parameters, logits %s%n", name, cnn.store().count(), java.util.Arrays.toString(y.shape()));
    }
}
