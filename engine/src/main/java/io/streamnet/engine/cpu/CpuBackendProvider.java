package io.streamnet.engine.cpu;

import io.streamnet.engine.backend.Backend;
import io.streamnet.engine.backend.BackendProvider;

/** Registers the CPU backend: always available, lowest priority under {@code auto}. */
public final class CpuBackendProvider implements BackendProvider {
    @Override
    public String name() {
        return "cpu";
    }

    @Override
    public int priority() {
        return 0;
    }

    @Override
    public Availability probe() {
        return Availability.yes("pure Java, gemm kernel " + CpuBackend.gemmKernel());
    }

    @Override
    public Backend create() {
        return CpuBackend.instance();
    }
}
