package io.streamnet.engine.cuda;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.streamnet.engine.backend.BackendProvider.Availability;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Every GPU kernel against {@link io.streamnet.engine.cpu.CpuBackend} on random inputs of several
 * shapes (the cases of {@link CudaParity}). Skipped, with the reason, where the CUDA provider's probe
 * says no.
 */
class CudaParityTest {
    @TestFactory
    Stream<DynamicTest> gpuMatchesCpu() {
        Availability a = new CudaProvider().probe();
        if (!a.available()) {
            System.out.println("[CudaParityTest] skipped: CUDA unavailable: " + a.reason());
            // one visible skipped test carrying the reason
            return Stream.of(DynamicTest.dynamicTest("CUDA unavailable",
                    () -> assumeTrue(false, "CUDA unavailable: " + a.reason())));
        }
        CudaBackend gpu = CudaBackend.instance();
        return CudaParity.cases().stream().map(c -> DynamicTest.dynamicTest(c.toString(), () -> {
            CudaParity.Result r = c.run(gpu);
            assertThat(r.pass()).as(r.row()).isTrue();
        }));
    }
}
