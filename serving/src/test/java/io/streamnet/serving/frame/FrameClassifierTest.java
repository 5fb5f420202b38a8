package io.streamnet.serving.frame;

import static io.streamnet.serving.frame.FrameFixtures.bytes;
import static io.streamnet.serving.frame.FrameFixtures.cnn;
import static io.streamnet.serving.frame.FrameFixtures.frame;
import static io.streamnet.serving.frame.FrameFixtures.model;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.streamnet.engine.backend.Backend;
import io.streamnet.engine.backend.Placement;
import io.streamnet.engine.cpu.CpuBackend;
import io.streamnet.serving.model.ServedFrameModel;
import org.junit.jupiter.api.Test;

/** A full batch (one forward) and a partial one (passes down the ladder of batch sizes) give every frame the same answer. */
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

    @Test
    void everyFlushSizeGivesEachFrameItsAloneAnswer() {
        ServedFrameModel m = model(bytes(cnn(3), null, "frames", 1));
        FrameClassifier alone = new FrameClassifier(m, CpuBackend.instance(), 1);
        int capacity = 12; // not a power of two: passes of 8, 4, 2 and 1, and the whole 12
        float[][] expected = new float[capacity][];
        for (int i = 0; i < capacity; i++) {
            alone.load(0, frame("cam", i).pixels);
            alone.run(1);
            expected[i] = alone.probabilities().row(0).toArray();
        }
        FrameClassifier c = new FrameClassifier(m, CpuBackend.instance(), capacity);
        for (int rows = 1; rows <= capacity; rows++) {
            for (int i = 0; i < rows; i++) {
                c.load(i, frame("cam", i).pixels);
            }
            assertThat(c.run(rows)).isZero();
            assertThat(c.features().dim(0)).isGreaterThanOrEqualTo(rows);
            for (int i = 0; i < rows; i++) {
                float[] got = c.probabilities().row(i).toArray();
                for (int k = 0; k < got.length; k++) {
                    assertThat(got[k]).as("flush of %d, frame %d, class %d", rows, i, k).isCloseTo(expected[i][k], within(1e-6f));
                }
            }
        }
    }

    @Test
    void passesFromThePlacementsThresholdUpRunOnItsLargeBackend() {
        ServedFrameModel m = model(bytes(cnn(3), null, "frames", 1));
        java.util.concurrent.atomic.AtomicInteger deviceOps = new java.util.concurrent.atomic.AtomicInteger();
        Backend device = (Backend) java.lang.reflect.Proxy.newProxyInstance(Backend.class.getClassLoader(),
                new Class<?>[] {Backend.class}, (proxy, method, args) -> {
                    if (method.getName().equals("name")) {
                        return "device";
                    }
                    deviceOps.incrementAndGet();
                    return method.invoke(CpuBackend.instance(), args);
                });
        FrameClassifier c = new FrameClassifier(m,
                Placement.split(CpuBackend.instance(), device, 8, "test"), 12);
        for (int i = 0; i < 12; i++) {
            c.load(i, frame("cam", i).pixels);
        }
        deviceOps.set(0); // building the device's copies of the CNN touches it
        c.run(7); // passes of 4, 2 and 1: all below the threshold
        assertThat(deviceOps.get()).isZero();
        c.run(9); // 8 on the device, 1 on the CPU
        int afterNine = deviceOps.get();
        assertThat(afterNine).isPositive();
        c.run(12); // the whole capacity on the device
        assertThat(deviceOps.get()).isGreaterThan(afterNine);
    }
}
