package io.streamnet.cnn.layer;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.streamnet.engine.cpu.CpuBackend;
import org.junit.jupiter.api.Test;

/** The builder refuses a layer that needs a (C,H,W) map where the shape is flat, naming the shape. */
class CnnBuilderShapeTest {
    @Test
    void aGlobalAveragePoolAfterAFlattenIsRefusedAsAShapeError() {
        CnnBuilder b = CnnBuilder.of(CpuBackend.instance(), 0L, 1, 2, 2).flatten();
        assertThatThrownBy(b::globalAvgPool).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("(C,H,W)").hasMessageContaining("[4]");
    }
}
