package io.streamnet.serving.frame;

import static io.streamnet.serving.frame.FrameFixtures.bytes;
import static io.streamnet.serving.frame.FrameFixtures.cnn;
import static io.streamnet.serving.frame.FrameFixtures.frame;
import static io.streamnet.serving.frame.FrameFixtures.model;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.streamnet.engine.cpu.CpuBackend;
import io.streamnet.serving.model.ServedFrameModel;
import org.junit.jupiter.api.Test;

/** A full batch (one forward) and a partial one (frame by frame) give every frame the same answer. */
class FrameClassifierTest {
    @Test
    void fullAndPartialBatchesAgreeFrameByFrame() {
        ServedFrameModel m = model(bytes(cnn(3), null, "frames", 1));
        FrameClassifier c = new FrameClassifier(m, CpuBackend.instance(), 4);
        for (int i = 0; i < 4; i++) {
            c.load(i, frame("cam", i).pixels);
        }
        c.run(4);
        float[] probsFull = c.probabilities().toArray();
        float[] featsFull = c.features().slice(0, 4).toArray();
        c.run(3);
        float[] probsPart = c.probabilities().toArray();
        float[] featsPart = c.features().slice(0, 3).toArray();
        for (int i = 0; i < 3 * FrameFixtures.CLASSES; i++) {
            assertThat(probsPart[i]).as("p[%d]", i).isCloseTo(probsFull[i], within(1e-6f));
        }
        for (int i = 0; i < featsPart.length; i++) {
            assertThat(featsPart[i]).as("f[%d]", i).isCloseTo(featsFull[i], within(1e-5f));
        }
    }
}
