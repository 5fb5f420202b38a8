package io.streamnet.cnn.layer;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamnet.cnn.GradCheck;
import io.streamnet.cnn.zoo.LeNet5;
import io.streamnet.cnn.zoo.ResNetMini;
import io.streamnet.engine.cpu.CpuBackend;
import io.streamnet.engine.nn.layer.Sequential;
import io.streamnet.engine.tensor.Tensor;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Once the buffers fit the batch, a forward + backward step allocates (next to) nothing: the layers'
 * activations and gradients are megabytes, so a buffer allocated per call would show at once.
 *
 * <p>"Steady state" means after the JIT has compiled the kernels: until C2 compiles them, the Vector
 * API's vectors are real objects (megabytes per step), and how many calls that takes depends on the
 * machine and what else compiles. So the meter warms up until a window of calls falls under the
 * bound, for at most {@link #WARM_UP_NANOS}; a buffer allocated per call never does.
 */
class SteadyStateAllocationTest {
    private static final long BOUND_BYTES = 16 * 1024;
    private static final int WINDOW_CALLS = 10;
    private static final long WARM_UP_NANOS = 60_000_000_000L;

    @Test
    void trainingStepsReuseTheirBuffers() {
        CpuBackend cpu = CpuBackend.instance();
        for (Sequential m : new Sequential[] {LeNet5.build(cpu, 1), ResNetMini.build(cpu, 1)}) {
            Tensor x = GradCheck.random(new Random(1), 1f, 8, 1, 28, 28);
            Tensor g = GradCheck.random(new Random(2), 1f, 8, 10);
            List<Long> windows = steadyStateBytesPerCall(() -> {
                m.forward(x, true);
                m.backward(g);
            });
            System.out.printf("%d layers: %d bytes allocated per training step (windows %s)%n",
                    m.layers().size(), last(windows), windows);
            assertThat(last(windows)).as("bytes per training step, windows of %d: %s", WINDOW_CALLS, windows)
                    .isLessThan(BOUND_BYTES);
        }
    }

    @Test
    void fusedInferenceReusesItsBuffers() {
        CpuBackend cpu = CpuBackend.instance();
        for (Sequential m : new Sequential[] {LeNet5.build(cpu, 1), ResNetMini.build(cpu, 1)}) {
            Tensor x = GradCheck.random(new Random(3), 1f, 40, 1, 28, 28); // ResNet-mini's first convolutions run in chunks
            List<Long> windows = steadyStateBytesPerCall(() -> m.infer(x));
            System.out.printf("%d layers: %d bytes allocated per inference (windows %s)%n",
                    m.layers().size(), last(windows), windows);
            assertThat(last(windows)).as("bytes per inference, windows of %d: %s", WINDOW_CALLS, windows)
                    .isLessThan(BOUND_BYTES);
        }
    }

    /**
     * Bytes this thread allocates per call, one figure per window of {@link #WINDOW_CALLS} calls: windows
     * run until one falls under the bound or the warm-up time is spent. The first window sizes the buffers.
     */
    private static List<Long> steadyStateBytesPerCall(Runnable call) {
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long id = Thread.currentThread().getId();
        List<Long> windows = new ArrayList<>();
        long start = System.nanoTime();
        do {
            long before = mx.getThreadAllocatedBytes(id);
            for (int i = 0; i < WINDOW_CALLS; i++) {
                call.run();
            }
            windows.add((mx.getThreadAllocatedBytes(id) - before) / WINDOW_CALLS);
        } while (last(windows) >= BOUND_BYTES && System.nanoTime() - start < WARM_UP_NANOS);
        return windows;
    }

    private static long last(List<Long> windows) {
        return windows.get(windows.size() - 1);
    }
}
