package io.streamnet.serving.placement;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.streamnet.engine.backend.Backend;
import io.streamnet.engine.backend.Calibration;
import io.streamnet.engine.backend.Placement;
import io.streamnet.engine.backend.Residency;
import io.streamnet.engine.cpu.CpuBackend;
import io.streamnet.engine.tensor.Tensor;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** How a served workload's round is timed for the calibration that places it on the CPU or a device. */
class CalibratedPlacementTest {
    private static final Backend CPU = CpuBackend.instance();
    private static final Backend DEVICE = (Backend) Proxy.newProxyInstance(Backend.class.getClassLoader(),
            new Class<?>[] {Backend.class}, (proxy, method, args) ->
                    method.getName().equals("name") ? "device" : method.invoke(CPU, args));

    /** A residency that runs the step as it is and counts its runs and closes. */
    private static final class CountingResidency implements Residency {
        int runs;
        int closes;

        @Override
        public void run(Step step) {
            runs++;
            step.run(t -> { });
        }

        @Override
        public CopyCounts copies() {
            return new CopyCounts(0, 0, 0, 0);
        }

        @Override
        public void close() {
            closes++;
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Test
    void theFirstRunOnlyWarmsAndTheSecondIsTheOneTimed() {
        CountingResidency r = new CountingResidency();
        double seconds = CalibratedPlacement.timer((b, rows) -> new CalibratedPlacement.Round(r, s -> {
            if (r.runs == 1) {
                sleep(300); // the warm run: uploads, kernel loads, buffer sizing
            }
        })).seconds(CPU, 4);
        assertThat(r.runs).isEqualTo(2);
        assertThat(seconds).isLessThan(0.3);
    }

    @Test
    void eachRoundIsMadeForTheBackendAndSizeItTimes() {
        List<String> made = new ArrayList<>();
        Calibration.RoundTimer timer = CalibratedPlacement.timer((b, rows) -> {
            made.add(b.name() + "@" + rows);
            return new CalibratedPlacement.Round(new CountingResidency(), s -> { });
        });
        timer.seconds(CPU, 1);
        timer.seconds(DEVICE, 16);
        assertThat(made).containsExactly("cpu@1", "device@16");
    }

    @Test
    void theRoundsResidencyIsClosedAfterTimingEvenWhenTheRoundThrows() {
        CountingResidency timed = new CountingResidency();
        CalibratedPlacement.timer((b, rows) -> new CalibratedPlacement.Round(timed, s -> { })).seconds(CPU, 1);
        CountingResidency failing = new CountingResidency();
        Calibration.RoundTimer throwing = CalibratedPlacement.timer((b, rows) -> new CalibratedPlacement.Round(failing,
                s -> {
                    throw new IllegalStateException("out of device memory");
                }));
        assertThatThrownBy(() -> throwing.seconds(CPU, 1)).hasMessageContaining("out of device memory");
        assertThat(timed.closes).isEqualTo(1);
        assertThat(failing.closes).isEqualTo(1);
    }

    @Test
    void roundsGoToTheDeviceFromTheSmallestLadderSizeWhereItsRoundIsFaster() {
        // The device loses below 16 rows and wins from there: 30 ms against nothing, either way.
        Calibration.RoundTimer timer = CalibratedPlacement.timer((b, rows) -> new CalibratedPlacement.Round(
                new CountingResidency(), s -> {
                    boolean deviceWins = rows >= 16;
                    if ((b == DEVICE) != deviceWins) {
                        sleep(30);
                    }
                }));
        Placement p = Calibration.calibrate(CPU, DEVICE, RoundLadder.of(64, 4), timer);
        assertThat(p.threshold()).isEqualTo(16);
        assertThat(p.forRows(4)).isSameAs(CPU);
        assertThat(p.forRows(64)).isSameAs(DEVICE);
    }

    @Test
    void everyRepeatAtASizeTimesTheSameInputsInZeroToOne() {
        Tensor a = Tensor.zeros(4, 3);
        Tensor b = Tensor.zeros(4, 3);
        CalibratedPlacement.fillRandom(a, 4);
        CalibratedPlacement.fillRandom(b, 4);
        assertThat(b.toArray()).containsExactly(a.toArray());
        for (float v : a.toArray()) {
            assertThat(v).isBetween(0f, 1f).isNotEqualTo(1f);
        }
    }
}
