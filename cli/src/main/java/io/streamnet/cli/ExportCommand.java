package io.streamnet.cli;

import io.streamnet.engine.checkpoint.Checkpoint;
import io.streamnet.engine.checkpoint.Checkpoints;
import io.streamnet.engine.nn.ModelCheckpoints;
import io.streamnet.engine.nn.layer.Sequential;
import io.streamnet.interop.cnn.CnnExport;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.streamnet.interop.pytorch.RecurrentArch;
import io.streamnet.interop.pytorch.RecurrentExport;
import io.streamnet.interop.safetensors.SafeTensors;
import io.streamnet.rnn.model.RnnCheckpoints;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** A streamnet checkpoint (recurrent or CNN) as a PyTorch state_dict (safetensors) and the ARCH file that maps it back. */
@Command(name = "export", mixinStandardHelpOptions = true,
        description = "Export a recurrent or CNN checkpoint as a PyTorch state_dict in safetensors (float32), under the "
                + "module names of --arch (default: embedding, rnn/lstm/gru, fc; a CNN's layers.N), with its ARCH file.")
public final class ExportCommand implements Callable<Integer> {
    @Option(names = "--model", required = true, description = "A checkpoint of a recurrent model or a CNN.")
    Path model;

    @Option(names = "--to", required = true, description = "The .safetensors file to write.")
    Path to;

    @Option(names = "--arch", description = "An ARCH file whose module names to use.")
    Path arch;

    @Option(names = "--arch-out", description = "Where to write the ARCH file (default: beside --to, .arch.json).")
    Path archOut;

    @Override
    public Integer call() throws Exception {
        Checkpoint parsed = Checkpoints.read(model);
        if (Sequential.TYPE.equals(parsed.architecture().path("type").asText())) {
            return exportCnn(ModelCheckpoints.fromCheckpoint(io.streamnet.engine.cpu.CpuBackend.instance(), parsed));
        }
        RnnCheckpoints.Loaded loaded = RnnCheckpoints.load(io.streamnet.engine.cpu.CpuBackend.instance(), model);
        RecurrentArch a = arch != null ? RecurrentArch.read(arch)
                : RecurrentExport.defaultArch(loaded.model().config(), loaded.vocabulary());
        if (a.tokenInput() && a.vocabulary() == null) {
            a = new RecurrentArch(a.cell(), a.embedding(), a.recurrent(), a.head(), a.task(), a.output(),
                    loaded.vocabulary());
        }
        SafeTensors.write(to, RecurrentExport.toStateDict(loaded.model(), a), Map.of("exported.by", "streamnet",
                "source.checkpoint", model.getFileName().toString()));
        Path archFile = archOut != null ? archOut
                : to.resolveSibling(to.getFileName().toString().replaceFirst("\\.safetensors$", "") + ".arch.json");
        new ObjectMapper().writerWithDefaultPrettyPrinter().writeValue(archFile.toFile(), a.toJson());
        System.out.printf("exported %s -> %s (ARCH %s)%n", model, to, archFile);
        return 0;
    }

    private int exportCnn(Sequential cnn) throws Exception {
        ObjectMapper json = new ObjectMapper();
        CnnExport.Exported e = CnnExport.toStateDict(cnn, arch == null ? null : json.readTree(arch.toFile()));
        SafeTensors.write(to, e.stateDict(), Map.of("exported.by", "streamnet", "source.checkpoint",
                model.getFileName().toString()));
        Path archFile = archOut != null ? archOut
                : to.resolveSibling(to.getFileName().toString().replaceFirst("\\.safetensors$", "") + ".arch.json");
        json.writerWithDefaultPrettyPrinter().writeValue(archFile.toFile(), e.arch());
        System.out.printf("exported CNN %s -> %s (ARCH %s)%n", model, to, archFile);
        return 0;
    }
}
