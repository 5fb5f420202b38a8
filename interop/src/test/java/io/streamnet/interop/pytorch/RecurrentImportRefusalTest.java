package io.streamnet.interop.pytorch;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.streamnet.engine.cpu.CpuBackend;
import io.streamnet.interop.Fixtures;
import io.streamnet.interop.ImportException;
import io.streamnet.interop.safetensors.DType;
import io.streamnet.interop.safetensors.SafeTensors;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** State dicts whose shapes cannot make a model are refused as imports, naming what is wrong. */
class RecurrentImportRefusalTest {
    @Test
    void aHeadWithNoOutputsIsRefusedAsAnImport() throws Exception {
        // found by ImportFuzzTest: fc.weight saved as [0, 12] reached ModelConfig's IllegalArgumentException
        var dir = Fixtures.ROOT.resolve("pytorch");
        Map<String, SafeTensors.Tensor> t = new LinkedHashMap<>(SafeTensors.read(dir.resolve("gru_features.safetensors"),
                SafeTensors.Limits.DEFAULTS).tensors());
        t.put("fc.weight", new SafeTensors.Tensor(DType.F32, new int[] {0, 12}, new float[0]));
        t.put("fc.bias", new SafeTensors.Tensor(DType.F32, new int[] {0}, new float[0]));
        RecurrentArch arch = RecurrentArch.read(dir.resolve("gru_features.arch.json"));
        assertThatThrownBy(() -> RecurrentImport.toModel(CpuBackend.instance(), t, arch))
                .isInstanceOf(ImportException.class).hasMessageContaining("do not make a GRU model");
    }
}
