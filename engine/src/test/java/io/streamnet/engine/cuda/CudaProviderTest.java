package io.streamnet.engine.cuda;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import io.streamnet.engine.backend.BackendProvider;
import io.streamnet.engine.backend.BackendProvider.Availability;
import io.streamnet.engine.backend.Backends;
import io.streamnet.engine.cpu.CpuBackend;
import org.junit.jupiter.api.Test;

/** The CUDA provider on any machine: registered, never throws, a clean "no" with a reason without a GPU. */
class CudaProviderTest {
    @Test
    void registeredThroughServiceLoaderAboveTheCpu() {
        assertThat(Backends.providers()).extracting(BackendProvider::name).containsSubsequence("cuda", "cpu");
        CudaProvider p = new CudaProvider();
        assertThat(p.name()).isEqualTo("cuda");
        assertThat(p.priority()).isEqualTo(10);
    }

    @Test
    void probeNeverThrowsAndCachesItsVerdict() {
        Availability first = new CudaProvider().probe();
        Availability second = new CudaProvider().probe();
        assertThat(first.reason()).isNotBlank();
        assertThat(second).isEqualTo(first);
        System.out.println("[CudaProviderTest] cuda probe: " + (first.available() ? "yes: " : "no: ") + first.reason());
    }

    @Test
    void withoutADeviceTheProbeSaysNoAndAutoPicksTheCpu() {
        Availability a = new CudaProvider().probe();
        assumeFalse(a.available(), "a CUDA device is present: " + a.reason());
        assertThat(a.reason()).doesNotContain("Stack trace").hasSizeLessThan(700);
        assertThat(Backends.select("auto", Backends.providers())).isSameAs(CpuBackend.instance());
        assertThatThrownBy(() -> Backends.select("cuda", Backends.providers()))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining(a.reason());
        assertThatThrownBy(CudaBackend::instance).isInstanceOf(CudaUnavailableException.class)
                .hasMessage(a.reason());
    }

    @Test
    void parityHarnessPassesWithTheCpuInTheGpusPlace() {
        // checks the comparisons themselves (tolerances, NaN handling): CPU against CPU must pass
        for (CudaParity.Case c : CudaParity.cases()) {
            if (c.shape().startsWith("1024x1024")) {
                continue;   // seconds of CPU gemm, nothing new for the harness
            }
            CudaParity.Result r = c.run(CpuBackend.instance());
            assertThat(r.pass()).as(r.row()).isTrue();
        }
    }
}
