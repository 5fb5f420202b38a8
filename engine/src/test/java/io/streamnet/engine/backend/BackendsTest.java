package io.streamnet.engine.backend;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.streamnet.engine.cpu.CpuBackend;
import java.util.List;
import org.junit.jupiter.api.Test;

class BackendsTest {
    /** A stand-in for a GPU provider on a machine without a driver. */
    private static final BackendProvider NO_GPU = new BackendProvider() {
        @Override
        public String name() {
            return "cuda";
        }

        @Override
        public int priority() {
            return 10;
        }

        @Override
        public Availability probe() {
            return Availability.no("libcuda.so.1 not found");
        }

        @Override
        public Backend create() {
            throw new AssertionError("must not be created when unavailable");
        }
    };

    @Test
    void cpuProviderIsRegisteredThroughServiceLoader() {
        assertThat(Backends.providers()).extracting(BackendProvider::name).contains("cpu");
    }

    @Test
    void autoFallsBackToCpuWhenAHigherPriorityBackendIsUnavailable() {
        List<BackendProvider> providers = List.of(NO_GPU, new io.streamnet.engine.cpu.CpuBackendProvider());
        assertThat(Backends.select("auto", providers)).isSameAs(CpuBackend.instance());
    }

    @Test
    void namedBackendThatIsUnavailableFailsWithTheReason() {
        assertThatThrownBy(() -> Backends.select("cuda", List.of(NO_GPU)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("libcuda.so.1 not found");
    }

    @Test
    void unknownBackendNameListsTheKnownOnes() {
        assertThatThrownBy(() -> Backends.select("tpu", Backends.providers()))
                .hasMessageContaining("tpu").hasMessageContaining("cpu");
    }

    @Test
    void defaultBackendWithoutConfigurationIsUsable() {
        // auto: CUDA where a device answers (a GPU machine), else the CPU
        boolean cuda = new io.streamnet.engine.cuda.CudaProvider().probe().available();
        assertThat(Backends.get().name()).isEqualTo(cuda ? "cuda" : "cpu");
    }

    @Test
    void autoWithoutADevicePlacesEveryRoundOnTheCpuWithoutCalibrating() {
        Placement p = Backends.place("auto", List.of(NO_GPU, new io.streamnet.engine.cpu.CpuBackendProvider()), new int[] {1, 32},
                (b, rows) -> {
                    throw new AssertionError("no calibration without a device");
                });
        assertThat(p.forRows(1).name()).isEqualTo("cpu");
        assertThat(p.forRows(1 << 20).name()).isEqualTo("cpu");
        assertThat(p.reason()).contains("no device answers");
    }

    @Test
    void aForcedBackendTakesEveryRound() {
        Placement p = Backends.place("cpu", Backends.providers(), new int[] {1, 32}, (b, rows) -> {
            throw new AssertionError("no calibration when the backend is forced");
        });
        assertThat(p.forRows(1).name()).isEqualTo("cpu");
        assertThat(p.threshold()).isEqualTo(1);
    }
}
