package io.streamnet.cnn.layer;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamnet.cnn.GradCheck;
import io.streamnet.cnn.zoo.LeNet5;
import io.streamnet.cnn.zoo.ResNetMini;
import io.streamnet.engine.cpu.CpuBackend;
import io.streamnet.engine.nn.layer.Sequential;
import io.streamnet.engine.tensor.Tensor;
import java.lang.management.ManagementFactory;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Once the buffers fit the batch, a forward + backward step allocates (next to) nothing: the layers'
 * activations and gradients are megabytes, so a buffer allocated per call would show at once.
 */
class SteadyStateAllocationTest {
    @Test
    void trainingStepsReuseTheirBuffers() {
        CpuBackend cpu = CpuBackend.instance();
        for (Sequential m : new Sequential[] {LeNet5.build(cpu, 1), ResNetMini.build(cpu, 1)}) {
            Tensor x = GradCheck.random(new Random(1), 1f, 8, 1, 28, 28);
            Tensor g = GradCheck.random(new Random(2), 1f, 8, 10);
            for (int i = 0; i < 20; i++) {
                m.forward(x, true);
                m.backward(g);
            }
            com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
            long id = Thread.currentThread().getId();
            long before = mx.getThreadAllocatedBytes(id);
            int steps = 10;
            for (int i = 0; i < steps; i++) {
                m.forward(x, true);
                m.backward(g);
            }
            long perStep = (mx.getThreadAllocatedBytes(id) - before) / steps;
            System.out.printf("%d layers: %d bytes allocated per training step%n", m.layers().size(), perStep);
            assertThat(perStep).isLessThan(16 * 1024);
        }
    }

    @Test
    void fusedInferenceReusesItsBuffers() {
        CpuBackend cpu = CpuBackend.instance();
        for (Sequential m : new Sequential[] {LeNet5.build(cpu, 1), ResNetMini.build(cpu, 1)}) {
            Tensor x = GradCheck.random(new Random(3), 1f, 40, 1, 28, 28); // ResNet-mini's first convolutions run in chunks
            for (int i = 0; i < 20; i++) {
                m.infer(x);
            }
            com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
            long id = Thread.currentThread().getId();
            long before = mx.getThreadAllocatedBytes(id);
            int calls = 10;
            for (int i = 0; i < calls; i++) {
                m.infer(x);
            }
            long perCall = (mx.getThreadAllocatedBytes(id) - before) / calls;
            System.out.printf("%d layers: %d bytes allocated per inference%n", m.layers().size(), perCall);
            assertThat(perCall).isLessThan(16 * 1024);
        }
    }
}
