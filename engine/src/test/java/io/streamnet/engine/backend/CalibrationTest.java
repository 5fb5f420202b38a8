package io.streamnet.engine.backend;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamnet.engine.cpu.CpuBackend;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Rounds go to the device only from the round size where the measurements say it is faster, at every size above too. */
class CalibrationTest {
    private static final int[] LADDER = {1, 2, 4, 8, 16, 32, 64, 128, 256};
    private final Backend cpu = CpuBackend.instance();
    private final Backend device = named("cuda:0");

    @Test
    void aDeviceWithAFixedCostPerRoundTakesOnlyTheRoundsThatEarnItBack() {
        // 200 us per round on the device plus 1 us per row; the CPU 10 us per row: the device wins from 32 rows.
        Placement p = Calibration.calibrate(cpu, device, LADDER,
                (b, rows) -> b == device ? 200e-6 + rows * 1e-6 : rows * 10e-6);
        assertThat(p.threshold()).isEqualTo(32);
        assertThat(p.forRows(1)).isSameAs(cpu);
        assertThat(p.forRows(31)).isSameAs(cpu);
        assertThat(p.forRows(32)).isSameAs(device);
        assertThat(p.forRows(1000)).isSameAs(device);
        assertThat(p.reason()).contains("32 rows cpu 320 us / cuda:0 232 us");
    }

    @Test
    void aDeviceSlowerAtEverySizeTakesNoRound() {
        Placement p = Calibration.calibrate(cpu, device, LADDER, (b, rows) -> b == device ? 2e-3 : 1e-3);
        assertThat(p.threshold()).isEqualTo(Placement.NEVER);
        assertThat(p.forRows(256)).isSameAs(cpu);
    }

    @Test
    void aWinAtOneSizeAloneDoesNotCountWhenALargerSizeLoses() {
        // Faster at 16 (noise, say), slower at 32, faster from 64 on: rounds go to the device from 64.
        Placement p = Calibration.calibrate(cpu, device, LADDER, (b, rows) -> {
            double c = rows * 10e-6;
            if (b == cpu) {
                return c;
            }
            return rows == 16 ? c / 2 : rows == 32 ? c * 2 : rows >= 64 ? c / 3 : c * 3;
        });
        assertThat(p.threshold()).isEqualTo(64);
    }

    @Test
    void eachSizeIsTimedOnBothBackendsInterleavedAndTheMedianCounts() {
        List<String> calls = new ArrayList<>();
        int[] devCalls = {0};
        // The device's first round at each size is a slow outlier (a first launch): the median ignores it.
        Placement p = Calibration.calibrate(cpu, device, new int[] {4, 1}, (b, rows) -> {
            calls.add(b.name() + "@" + rows);
            if (b == device) {
                return devCalls[0]++ < 2 ? 1.0 : 1e-6;
            }
            return 1e-3;
        });
        assertThat(calls).containsExactly("cpu@1", "cuda:0@1", "cpu@4", "cuda:0@4", "cpu@1", "cuda:0@1", "cpu@4",
                "cuda:0@4", "cpu@1", "cuda:0@1", "cpu@4", "cuda:0@4");
        assertThat(p.threshold()).isEqualTo(1);
    }

    /** A backend that computes as the CPU does under another name (a stand-in device for the placement's bookkeeping). */
    static Backend named(String name) {
        return (Backend) Proxy.newProxyInstance(Backend.class.getClassLoader(), new Class<?>[] {Backend.class},
                (proxy, m, args) -> m.getName().equals("name") ? name : m.invoke(CpuBackend.instance(), args));
    }
}
