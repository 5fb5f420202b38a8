package io.streamnet.cnn.zoo;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamnet.cnn.layer.BatchNorm;
import io.streamnet.cnn.layer.Conv2D;
import io.streamnet.cnn.layer.ResidualBlock;
import io.streamnet.engine.cpu.CpuBackend;
import io.streamnet.engine.nn.layer.Layer;
import io.streamnet.engine.nn.layer.Sequential;
import io.streamnet.engine.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Layer-by-layer output shapes and parameter counts of the zoo's models. */
class ModelZooTest {
    private final CpuBackend cpu = CpuBackend.instance();
    /** Built once: 62M parameters take seconds to initialise. */
    private static Sequential alexNet;

    @org.junit.jupiter.api.BeforeAll
    static void buildAlexNet() {
        long t0 = System.nanoTime();
        alexNet = AlexNet.build(CpuBackend.instance(), 1);
        System.out.printf("AlexNet built in %.2f s%n", (System.nanoTime() - t0) / 1e9);
    }

    @org.junit.jupiter.api.AfterAll
    static void dropAlexNet() {
        alexNet = null;
    }

    /** Per-example output shape after every layer, by shape inference. */
    private static List<int[]> shapes(Sequential model) {
        int[] in = model.inputShape();
        int[] s = new int[in.length + 1];
        s[0] = 1;
        System.arraycopy(in, 0, s, 1, in.length);
        List<int[]> out = new ArrayList<>();
        for (Layer l : model.layers()) {
            s = l.outputShape(s);
            out.add(Arrays.copyOfRange(s, 1, s.length));
        }
        return out;
    }

    @Test
    void alexNetHasTheClassicShapesAndParameterCount() {
        Sequential m = alexNet;
        assertThat(m.inputShape()).containsExactly(3, 227, 227);
        List<int[]> s = shapes(m);
        int[][] expected = {
                {96, 55, 55}, {96, 55, 55},        // conv1 11x11 s4 (227 - 11) / 4 + 1 = 55, ReLU
                {96, 27, 27},                       // maxpool 3 s2: (55 - 3) / 2 + 1 = 27
                {256, 27, 27}, {256, 27, 27},      // conv2 5x5 p2, ReLU
                {256, 13, 13},                      // maxpool: (27 - 3) / 2 + 1 = 13
                {384, 13, 13}, {384, 13, 13},      // conv3 3x3 p1, ReLU
                {384, 13, 13}, {384, 13, 13},      // conv4
                {256, 13, 13}, {256, 13, 13},      // conv5
                {256, 6, 6},                        // maxpool: (13 - 3) / 2 + 1 = 6
                {9216},                             // flatten 256 * 6 * 6
                {4096}, {4096}, {4096}, {4096}, {1000}};
        assertThat(s).hasSize(expected.length);
        for (int i = 0; i < expected.length; i++) {
            assertThat(s.get(i)).as("layer %d (%s)", i, m.layers().get(i).describe()).containsExactly(expected[i]);
        }
        // Parameters (weights + biases), single tower:
        //   conv1 96*3*11*11 + 96    =     34,944
        //   conv2 256*96*5*5 + 256   =    614,656
        //   conv3 384*256*3*3 + 384  =    885,120
        //   conv4 384*384*3*3 + 384  =  1,327,488
        //   conv5 256*384*3*3 + 256  =    884,992
        //   fc6   9216*4096 + 4096   = 37,752,832
        //   fc7   4096*4096 + 4096   = 16,781,312
        //   fc8   4096*1000 + 1000   =  4,097,000
        //   total                    = 62,378,344
        long[] perLayer = m.layers().stream().mapToLong(l -> l.parameters().stream().mapToLong(p -> p.value().size()).sum())
                .filter(c -> c > 0).toArray();
        assertThat(perLayer).containsExactly(34_944, 614_656, 885_120, 1_327_488, 884_992, 37_752_832, 16_781_312, 4_097_000);
        assertThat(m.store().count()).isEqualTo(62_378_344L).isEqualTo(AlexNet.PARAMETERS);
        String summary = m.summary();
        assertThat(summary).contains("conv2d 96@11x11 s4 p0", "[256, 6, 6]", "[9216]", "37,752,832", "62,378,344");
    }

    @Test
    void alexNetForwardOnOneImage() {
        Sequential m = alexNet;
        Tensor x = Tensor.zeros(1, 3, 227, 227);
        for (int i = 0; i < x.size(); i++) {
            x.put(i, (float) Math.sin(i * 0.001));
        }
        long t0 = System.nanoTime();
        Tensor y = m.forward(x, false);
        System.out.printf("AlexNet forward, batch 1: %.2f s%n", (System.nanoTime() - t0) / 1e9);
        assertThat(y.shape()).containsExactly(1, 1000);
        assertThat(y.hasNonFinite()).isFalse();
    }

    @Test
    void leNet5ShapesAndParameters() {
        Sequential m = LeNet5.build(cpu, 1);
        List<int[]> s = shapes(m);
        int[][] expected = {{6, 28, 28}, {6, 28, 28}, {6, 14, 14}, {16, 10, 10}, {16, 10, 10}, {16, 5, 5}, {400},
                {120}, {120}, {84}, {84}, {10}};
        assertThat(s).hasSize(expected.length);
        for (int i = 0; i < expected.length; i++) {
            assertThat(s.get(i)).as("layer %d", i).containsExactly(expected[i]);
        }
        // 6*25+6 + 16*6*25+16 + 400*120+120 + 120*84+84 + 84*10+10 = 156 + 2,416 + 48,120 + 10,164 + 850
        assertThat(m.store().count()).isEqualTo(61_706L).isEqualTo(LeNet5.PARAMETERS);
        Tensor y = m.forward(Tensor.zeros(4, 1, 28, 28), false);
        assertThat(y.shape()).containsExactly(4, 10);
    }

    @Test
    void resNetMiniShapesAndParameters() {
        Sequential m = ResNetMini.build(cpu, 1);
        List<int[]> s = shapes(m);
        int[][] expected = {{16, 28, 28}, {16, 28, 28}, {16, 28, 28}, {16, 28, 28}, {32, 14, 14}, {64, 7, 7},
                {64, 1, 1}, {64}, {10}};
        assertThat(s).hasSize(expected.length);
        for (int i = 0; i < expected.length; i++) {
            assertThat(s.get(i)).as("layer %d", i).containsExactly(expected[i]);
        }
        assertThat(m.layers().get(0)).isInstanceOf(Conv2D.class);
        assertThat(m.layers().get(1)).isInstanceOf(BatchNorm.class);
        assertThat(((ResidualBlock) m.layers().get(3)).hasProjection()).isFalse();
        assertThat(((ResidualBlock) m.layers().get(4)).hasProjection()).isTrue();
        assertThat(((ResidualBlock) m.layers().get(5)).hasProjection()).isTrue();
        // stem 144 + bn 32
        // block 16->16: 2 * 16*16*9 + 2 * 32                                      = 4,672
        // block 16->32: 32*16*9 + 32*32*9 + 2 * 64 + proj 32*16 + 64               = 14,528
        // block 32->64: 64*32*9 + 64*64*9 + 2 * 128 + proj 64*32 + 128             = 57,728
        // fc 64*10 + 10                                                             = 650
        assertThat(m.store().count()).isEqualTo(144 + 32 + 4_672 + 14_528 + 57_728 + 650);
        // running mean and variance of the 9 batch norms (stem 1, blocks 2 + 3 + 3) are state, not parameters
        assertThat(m.store().states()).hasSize(18);
        Tensor y = m.forward(Tensor.zeros(2, 1, 28, 28), false);
        assertThat(y.shape()).containsExactly(2, 10);
        System.out.print(m.summary());
    }
}
