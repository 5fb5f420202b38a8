package io.streamnet.engine.cuda;

import io.streamnet.engine.backend.Backend;
import io.streamnet.engine.backend.BackendProvider;

/**
 * Registers the CUDA backend (priority 10, above the CPU's 0). The probe initialises the driver,
 * the device's context and the kernels once per process and caches the verdict: no driver library,
 * no device, an old device or a PTX the driver rejects is a "no" with the reason, never an
 * exception.
 */
public final class CudaProvider implements BackendProvider {
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
        return CudaContext.availability();
    }

    @Override
    public Backend create() {
        return CudaBackend.instance();
    }
}
