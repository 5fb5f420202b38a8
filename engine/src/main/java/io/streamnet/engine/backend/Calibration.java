package io.streamnet.engine.backend;

import java.util.Arrays;
import java.util.Locale;

/**
 * Measures a workload's round on the CPU and on a device at a ladder of round sizes, interleaved
 * (CPU, device, CPU, ... so that a noisy neighbour hits both alike), and places rounds on the device
 * from the smallest size at which it is faster there and at every larger size measured: a round
 * goes to the device only where the measurements say it gains.
 */
public final class Calibration {
    /** Timed rounds per size and backend; the median counts. */
    static final int REPEATS = 3;

    /** One round of {@code rows} rows of the workload on {@code backend}, run and timed by the caller, in seconds. */
    @FunctionalInterface
    public interface RoundTimer {
        double seconds(Backend backend, int rows);
    }

    private Calibration() {
    }

    /** Medians of {@link #REPEATS} rounds per size on each backend, then the placement they imply. */
    public static Placement calibrate(Backend cpu, Backend device, int[] ladder, RoundTimer timer) {
        int[] sizes = ladder.clone();
        Arrays.sort(sizes);
        if (sizes.length == 0 || sizes[0] < 1) {
            throw new IllegalArgumentException("the ladder needs round sizes of at least 1 row: " + Arrays.toString(ladder));
        }
        double[][] cpuS = new double[sizes.length][REPEATS];
        double[][] devS = new double[sizes.length][REPEATS];
        for (int rep = 0; rep < REPEATS; rep++) {
            for (int i = 0; i < sizes.length; i++) {
                cpuS[i][rep] = timer.seconds(cpu, sizes[i]);
                devS[i][rep] = timer.seconds(device, sizes[i]);
            }
        }
        double[] cpuMedian = new double[sizes.length];
        double[] devMedian = new double[sizes.length];
        for (int i = 0; i < sizes.length; i++) {
            cpuMedian[i] = median(cpuS[i]);
            devMedian[i] = median(devS[i]);
        }
        return place(cpu, device, sizes, cpuMedian, devMedian);
    }

    /** The placement the medians imply: the device from the smallest size where it wins there and above. */
    static Placement place(Backend cpu, Backend device, int[] sizes, double[] cpuMedian, double[] devMedian) {
        int from = sizes.length;
        while (from > 0 && devMedian[from - 1] < cpuMedian[from - 1]) {
            from--;
        }
        StringBuilder figures = new StringBuilder("calibrated, per round:");
        for (int i = 0; i < sizes.length; i++) {
            figures.append(String.format(Locale.ROOT, " %d rows %s %.0f us / %s %.0f us;", sizes[i], cpu.name(),
                    cpuMedian[i] * 1e6, device.name(), devMedian[i] * 1e6));
        }
        figures.setLength(figures.length() - 1);
        int threshold = from == sizes.length ? Placement.NEVER : sizes[from];
        return Placement.split(cpu, device, threshold, figures.toString());
    }

    private static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s[s.length / 2];
    }
}
