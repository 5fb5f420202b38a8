package io.streamnet.serving.placement;

import io.streamnet.engine.backend.Backend;
import io.streamnet.engine.backend.Backends;
import io.streamnet.engine.backend.Calibration;
import io.streamnet.engine.backend.Placement;
import io.streamnet.engine.backend.Residency;
import io.streamnet.engine.tensor.Tensor;
import java.util.Random;

/**
 * Where a served workload's rounds run, the CPU or a device, by their number of rows
 * ({@link Backends#placement}): with {@code STREAMNET_BACKEND=auto} and a device, one round of the
 * workload is timed on both at each size of its {@link RoundLadder} (once per workload key, then
 * cached and logged with the figures), and rounds go to the device only from the size where it is
 * faster. The sequence stepper and the frame classifier are both placed here.
 *
 * <p>A round is timed as it runs when served, device-resident, after one untimed run: the first
 * uploads the weights, loads the kernels and sizes the buffers, which a served stream pays once.
 */
public final class CalibratedPlacement {
    /** One round of a workload made ready on a backend: the residency that keeps its weights, and its step. */
    public record Round(Residency residency, Residency.Step step) {
    }

    /** Makes a round of {@code rows} rows ready on {@code backend}: a copy of the model made there, inputs. */
    @FunctionalInterface
    public interface Rounds {
        Round make(Backend backend, int rows);
    }

    private CalibratedPlacement() {
    }

    /** The placement of {@code workload} (name the model's shapes and the capacity in it), timed at the {@code ladder}'s sizes. */
    public static Placement of(String workload, int[] ladder, Rounds rounds) {
        return Backends.placement(workload, ladder, timer(rounds));
    }

    /** Seconds of a round's second run; the round's residency is closed after. */
    static Calibration.RoundTimer timer(Rounds rounds) {
        return (backend, rows) -> {
            Round round = rounds.make(backend, rows);
            try (Residency r = round.residency()) {
                r.run(round.step()); // warm: weights uploaded, kernels loaded, buffers sized
                long t0 = System.nanoTime();
                r.run(round.step());
                return (System.nanoTime() - t0) / 1e9;
            }
        };
    }

    /** Fills {@code t} with values in [0, 1) seeded by {@code rows}: every repeat at a size times the same input. */
    public static void fillRandom(Tensor t, int rows) {
        Random rng = new Random(rows);
        for (int i = 0; i < t.size(); i++) {
            t.put(i, rng.nextFloat());
        }
    }
}
