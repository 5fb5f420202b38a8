package io.streamnet.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.streamnet.engine.backend.Backend;
import io.streamnet.engine.cpu.CpuBackend;
import io.streamnet.engine.nn.ModelCheckpoints;
import io.streamnet.engine.nn.layer.Sequential;
import io.streamnet.interop.ImportException;
import io.streamnet.interop.JsonFiles;
import io.streamnet.interop.cnn.CnnArch;
import io.streamnet.interop.cnn.CnnImport;
import io.streamnet.interop.onnx.OnnxGraph;
import io.streamnet.interop.onnx.OnnxImport;
import io.streamnet.interop.pytorch.RecurrentArch;
import io.streamnet.interop.pytorch.RecurrentImport;
import io.streamnet.interop.safetensors.SafeTensors;
import io.streamnet.rnn.model.RnnCheckpoints;
import io.streamnet.rnn.model.Task;
import io.streamnet.rnn.text.Vocabulary;
import io.streamnet.serving.model.ServedModel;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * A model trained elsewhere into a streamnet checkpoint: a PyTorch state_dict (safetensors) with
 * its ARCH file, or an ONNX graph. Recurrent models become sequence-job checkpoints, CNNs
 * frame-job checkpoints; either is what publish-model publishes.
 */
@Command(name = "import", mixinStandardHelpOptions = true,
        description = "Import a model trained elsewhere (docs/import.md): a PyTorch state_dict saved as safetensors with "
                + "an ARCH file naming its modules, or an ONNX graph (torch.onnx.export), into a checkpoint that the jobs "
                + "serve, publish-model publishes and train fine-tunes.")
public final class ImportCommand implements Callable<Integer> {
    @Option(names = "--from", required = true, description = "The model: FILE.safetensors (F32, F16 or BF16) or FILE.onnx.")
    Path from;

    @Option(names = "--arch", description = "The ARCH file (JSON) of a safetensors state_dict: its modules and layers.")
    Path arch;

    @Option(names = "--vocabulary", description = "For an ONNX token model: JSON {\"kind\": \"word\", \"tokens\": [\"<unk>\", ...]}"
            + " in id order (ONNX carries none). An ARCH file's vocabulary field is read too.")
    Path vocabulary;

    @Option(names = "--task", description = "For an ONNX recurrent model whose graph ends without a Softmax: "
            + "classification or regression (default: classification).")
    String task;

    @Option(names = "--out", required = true, description = "The checkpoint to write.")
    Path out;

    @Option(names = "--model-id", description = "Model id in the checkpoint (default: the file's name).")
    String modelId;

    @Option(names = "--version", defaultValue = "1", description = "Model version in the checkpoint (default: ${DEFAULT-VALUE}).")
    long version;

    @Override
    public Integer call() throws Exception {
        Backend cpu = CpuBackend.instance();
        String name = from.getFileName().toString();
        boolean onnx = name.toLowerCase(Locale.ROOT).endsWith(".onnx");
        String id = modelId != null ? modelId : name.replaceFirst("\\.(safetensors|onnx)$", "");
        if (onnx) {
            OnnxImport.Imported m = OnnxImport.toModel(cpu, OnnxGraph.read(from, OnnxGraph.Limits.DEFAULTS), task(),
                    vocabulary());
            if (m.isRecurrent()) {
                saveRecurrent(m.recurrent(), meta(id, "onnx"));
            } else {
                saveCnn(m.cnn(), meta(id, "onnx"));
            }
            return 0;
        }
        if (arch == null) {
            throw new ImportException("a safetensors state_dict needs --arch: the file names tensors, not the layers "
                    + "between them");
        }
        SafeTensors.Contents file = SafeTensors.read(from, SafeTensors.Limits.DEFAULTS);
        JsonNode a = JsonFiles.read(arch, JsonFiles.MAX_ARCH_BYTES, "ARCH");
        if ("cnn".equals(a.path("family").asText())) {
            CnnArch.Resolved r = CnnArch.resolve(a, file.tensors());
            saveCnn(CnnImport.toModel(cpu, r.input(), r.layers()), meta(id, "pytorch safetensors"));
        } else {
            saveRecurrent(RecurrentImport.toModel(cpu, file.tensors(), RecurrentArch.parse(a)),
                    meta(id, "pytorch safetensors"));
        }
        return 0;
    }

    /** Computed once the import has checked the file's size: the hash streams the file, it never holds it. */
    private Map<String, String> meta(String id, String format) throws IOException {
        return Map.of(ServedModel.META_ID, id, ServedModel.META_VERSION, Long.toString(version), "imported.from", format,
                "imported.sha256", sha256(from));
    }

    private static String sha256(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            MessageDigest d = MessageDigest.getInstance("SHA-256");
            byte[] buf = new byte[1 << 16];
            for (int n = in.read(buf); n >= 0; n = in.read(buf)) {
                d.update(buf, 0, n);
            }
            return HexFormat.of().formatHex(d.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }

    private void saveRecurrent(RecurrentImport.Imported m, Map<String, String> meta) throws IOException {
        RnnCheckpoints.save(m.model(), m.vocabulary(), meta, out);
        var c = m.model().config();
        System.out.printf("imported %s: %s, %d layer(s) of %d, %s input, %d outputs (%s, %s), %,d parameters -> %s%n",
                from, c.cell(), c.layers(), c.hidden(), c.tokenInput() ? c.vocabSize() + " tokens" : c.inputSize()
                        + " features", c.outputSize(), c.task(), c.outputType(), m.model().store().count(), out);
    }

    private void saveCnn(Sequential cnn, Map<String, String> meta) throws IOException {
        ModelCheckpoints.save(cnn, meta, out);
        System.out.printf("imported %s: CNN over %s, %d layers, %d classes, %,d parameters -> %s%n", from,
                Arrays.toString(cnn.inputShape()), cnn.layers().size(), cnn.outputShape(withBatch(cnn.inputShape()))[1],
                cnn.store().count(), out);
    }

    private static int[] withBatch(int[] shape) {
        int[] s = new int[shape.length + 1];
        s[0] = 1;
        System.arraycopy(shape, 0, s, 1, shape.length);
        return s;
    }

    private Task task() throws ImportException {
        if (task == null) {
            return null;
        }
        try {
            return Task.valueOf(task.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new ImportException("--task must be classification or regression, not " + task);
        }
    }

    private Vocabulary vocabulary() throws IOException, ImportException {
        Path f = vocabulary != null ? vocabulary : arch;
        if (f == null) {
            return null;
        }
        JsonNode n = JsonFiles.read(f, JsonFiles.MAX_ARCH_BYTES, "vocabulary");
        try {
            return Vocabulary.fromJson(n.has("vocabulary") ? n.get("vocabulary") : n);
        } catch (IllegalArgumentException e) {
            throw new ImportException(f + ": " + e.getMessage(), e);
        }
    }
}
