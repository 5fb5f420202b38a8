package io.streamnet.cli;

import io.streamnet.interop.pytorch.RecurrentArch;
import io.streamnet.interop.pytorch.RecurrentImport;
import io.streamnet.interop.safetensors.SafeTensors;
import io.streamnet.rnn.model.RnnCheckpoints;
import io.streamnet.serving.model.ModelUpdates;
import io.streamnet.serving.model.ServedModel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** A PyTorch state_dict (safetensors) and its ARCH file into a streamnet checkpoint. */
@Command(name = "import", mixinStandardHelpOptions = true,
        description = "Import a PyTorch model: a state_dict saved as safetensors plus an ARCH file naming its modules "
                + "(docs/import.md) into a checkpoint that the jobs serve, publish-model publishes and train fine-tunes.")
public final class ImportCommand implements Callable<Integer> {
    @Option(names = "--from", required = true, description = "The state_dict as .safetensors (F32, F16 or BF16).")
    Path from;

    @Option(names = "--arch", required = true, description = "The ARCH file (JSON): modules, cell, task, output, vocabulary.")
    Path arch;

    @Option(names = "--out", required = true, description = "The checkpoint to write.")
    Path out;

    @Option(names = "--model-id", description = "Model id in the checkpoint (default: the file's name).")
    String modelId;

    @Option(names = "--version", defaultValue = "1", description = "Model version in the checkpoint (default: ${DEFAULT-VALUE}).")
    long version;

    @Override
    public Integer call() throws Exception {
        SafeTensors.Contents file = SafeTensors.read(from, SafeTensors.Limits.DEFAULTS);
        RecurrentImport.Imported m = RecurrentImport.toModel(io.streamnet.engine.cpu.CpuBackend.instance(), file.tensors(), RecurrentArch.read(arch));
        String id = modelId != null ? modelId : from.getFileName().toString().replaceFirst("\\.safetensors$", "");
        RnnCheckpoints.save(m.model(), m.vocabulary(), Map.of(ServedModel.META_ID, id, ServedModel.META_VERSION,
                Long.toString(version), "imported.from", "pytorch safetensors", "imported.sha256",
                ModelUpdates.sha256(Files.readAllBytes(from))), out);
        var c = m.model().config();
        System.out.printf("imported %s: %s, %d layer(s) of %d, %s input, %d outputs (%s, %s), %,d parameters -> %s%n",
                from, c.cell(), c.layers(), c.hidden(), c.tokenInput() ? c.vocabSize() + " tokens" : c.inputSize()
                        + " features", c.outputSize(), c.task(), c.outputType(), m.model().store().count(), out);
        return 0;
    }
}
