package io.streamnet.interop.cnn;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.streamnet.engine.cpu.CpuBackend;
import io.streamnet.interop.ImportException;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Layers that do not fit the map they read are refused as an import, naming the layer. */
class CnnImportRefusalTest {
    @Test
    void aPoolLargerThanItsInputIsRefusedNamingIt() {
        // the builder takes the pool unchecked; the shape after it is what fails
        List<CnnLayer> layers = List.of(new CnnLayer.MaxPool(2, 2), new CnnLayer.Flatten(),
                new CnnLayer.Linear("fc", CnnImport.tensor(new float[2], 2, 1), null));
        assertThatThrownBy(() -> CnnImport.toModel(CpuBackend.instance(), new int[] {1, 1, 1}, layers))
                .isInstanceOf(ImportException.class).hasMessageContaining("MaxPool does not fit the [1, 1, 1]");
    }

    @Test
    void aWeightOfTheWrongRankInsideAResidualBlockIsRefusedNamingIt() {
        // found by ImportFuzzTest: a state_dict's conv1.weight saved as a scalar was indexed before any check
        CnnLayer.Conv scalar = new CnnLayer.Conv("layer1.0.conv1", CnnImport.tensor(new float[1]), null, 1, 1);
        CnnLayer.Conv conv2 = new CnnLayer.Conv("layer1.0.conv2", CnnImport.tensor(new float[9], 1, 1, 3, 3), null, 1, 1);
        List<CnnLayer> layers = List.of(new CnnLayer.Residual("layer1.0", scalar, null, conv2, null, null, null),
                new CnnLayer.Flatten(), new CnnLayer.Linear("fc", CnnImport.tensor(new float[4], 1, 4), null));
        assertThatThrownBy(() -> CnnImport.toModel(CpuBackend.instance(), new int[] {1, 2, 2}, layers))
                .isInstanceOf(ImportException.class).hasMessageContaining("Conv2d layer1.0.conv1 weight []");
    }

    @Test
    void aGlobalAveragePoolAfterAFlattenIsRefusedNamingIt() {
        List<CnnLayer> layers = List.of(new CnnLayer.Flatten(), new CnnLayer.GlobalAvgPool(),
                new CnnLayer.Linear("fc", CnnImport.tensor(new float[4], 1, 4), null));
        assertThatThrownBy(() -> CnnImport.toModel(CpuBackend.instance(), new int[] {1, 2, 2}, layers))
                .isInstanceOf(ImportException.class).hasMessageContaining("GlobalAvgPool reads a (channels, height, width) map, not the [4]");
    }
}
