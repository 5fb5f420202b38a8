package io.streamnet.engine.cuda;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The residency's bookkeeping without a device: a simulated device array behind a {@link Mirror},
 * random sequences of device and host reads and writes, and after each one the rule that whoever
 * reads sees the latest value.
 */
class MirrorTest {
    private static final int N = 24;

    /** The device side of one mirror, and the copies made. */
    private static final class SimulatedDevice implements Mirror.Copier {
        final float[] device = new float[N];
        int uploaded;
        int downloaded;

        @Override
        public void upload(Mirror m, int from, int to) {
            System.arraycopy(m.host, from, device, from, to - from);
            uploaded += to - from;
        }

        @Override
        public void download(Mirror m, int from, int to) {
            System.arraycopy(device, from, m.host, from, to - from);
            downloaded += to - from;
        }
    }

    @Test
    void everyReaderSeesTheLatestValueWhateverTheOrderOfReadsAndWrites() {
        for (int seed = 0; seed < 300; seed++) {
            Random rng = new Random(seed);
            float[] host = new float[N];
            float[] truth = new float[N];
            for (int i = 0; i < N; i++) {
                host[i] = truth[i] = i;
            }
            Mirror m = new Mirror(host, rng.nextBoolean());
            SimulatedDevice d = new SimulatedDevice();
            java.util.Arrays.fill(d.device, Float.NaN); // fresh device memory holds garbage
            float next = 1000;
            for (int op = 0; op < 200; op++) {
                int lo = rng.nextInt(N);
                int hi = lo + rng.nextInt(N - lo + 1);
                String what = "seed " + seed + " op " + op + " [" + lo + ", " + hi + ")";
                switch (rng.nextInt(6)) {
                    case 0 -> { // a kernel reads
                        m.read(lo, hi, d);
                        for (int i = lo; i < hi; i++) {
                            assertThat(d.device[i]).as(what + " device read at " + i).isEqualTo(truth[i]);
                        }
                    }
                    case 1 -> { // a kernel overwrites
                        m.write(lo, hi, d);
                        for (int i = lo; i < hi; i++) {
                            d.device[i] = truth[i] = next++;
                        }
                    }
                    case 2 -> { // a kernel updates in place
                        m.read(lo, hi, d);
                        for (int i = lo; i < hi; i++) {
                            assertThat(d.device[i]).as(what + " in-place read at " + i).isEqualTo(truth[i]);
                            d.device[i] = truth[i] = truth[i] + 0.5f;
                        }
                        m.wrote(lo, hi);
                    }
                    case 3 -> { // a CPU operation or the run's result reads
                        m.hostRead(lo, hi, d);
                        for (int i = lo; i < hi; i++) {
                            assertThat(host[i]).as(what + " host read at " + i).isEqualTo(truth[i]);
                        }
                    }
                    case 4 -> { // a CPU operation writes
                        for (int i = lo; i < hi; i++) {
                            host[i] = truth[i] = next++;
                        }
                        m.hostWrote(lo, hi, d);
                    }
                    default -> { // the run ends: the host may then change anything but a constant
                        m.hostRead(0, N, d);
                        m.endRun();
                        if (!m.constant) {
                            for (int i = 0; i < N; i++) {
                                host[i] = truth[i] = next++;
                            }
                        }
                    }
                }
            }
        }
    }

    @Test
    void aStepThatReadsItsStatesOnceAndKeepsItsResultCopiesEachOnce() {
        float[] host = new float[N];
        Mirror m = new Mirror(host, false);
        SimulatedDevice d = new SimulatedDevice();
        m.read(0, 8, d);        // the gathered states
        m.write(8, 16, d);      // the next states
        m.read(8, 16, d);       // read back by the next layer: already there
        m.hostRead(8, 16, d);   // kept
        assertThat(d.uploaded).isEqualTo(8);
        assertThat(d.downloaded).isEqualTo(8);
    }

    @Test
    void aConstantStaysOnTheDeviceAcrossRuns() {
        float[] host = new float[N];
        Mirror m = new Mirror(host, true);
        SimulatedDevice d = new SimulatedDevice();
        for (int run = 0; run < 5; run++) {
            m.read(0, N, d);
            m.endRun();
        }
        assertThat(d.uploaded).isEqualTo(N);
    }
}
