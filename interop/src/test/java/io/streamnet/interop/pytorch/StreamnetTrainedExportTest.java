package io.streamnet.interop.pytorch;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamnet.engine.cpu.CpuBackend;
import io.streamnet.interop.Fixtures;
import io.streamnet.interop.safetensors.SafeTensors;
import io.streamnet.rnn.model.SequenceModel;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The other direction: a GRU character model trained by streamnet ({@code streamnet train charlm}),
 * exported under PyTorch's names. The fixture's outputs are streamnet's
 * ({@link StreamnetExportFixture}); {@code make_fixtures.py check} asserts PyTorch computes the same
 * from the export. Here: importing the export back gives exactly those outputs, so the fixture is
 * what the current engine and exporter produce.
 */
class StreamnetTrainedExportTest {
    static final Path DIR = Fixtures.ROOT.resolve("streamnet");

    @Test
    void theExportOfAStreamnetTrainedModelStepsToTheOutputsStreamnetRecorded() throws Exception {
        var tensors = SafeTensors.read(DIR.resolve("char_gru.safetensors"), SafeTensors.Limits.DEFAULTS).tensors();
        SequenceModel model = RecurrentImport.toModel(CpuBackend.instance(), tensors,
                RecurrentArch.read(DIR.resolve("char_gru.arch.json"))).model();
        SafeTensors.Contents io = SafeTensors.read(DIR.resolve("char_gru.io.safetensors"), SafeTensors.Limits.DEFAULTS);
        double worst = Fixtures.largestStepDifference(model, io.tensors().get("inputs"), io.tensors().get("outputs"));
        assertThat(worst).isLessThan(1e-6);
    }
}
