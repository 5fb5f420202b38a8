package io.streamnet.cli;

import io.streamnet.engine.backend.Backend;
import io.streamnet.engine.backend.BackendProvider;
import io.streamnet.engine.backend.Backends;
import io.streamnet.engine.cpu.CpuBackend;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** Shows which compute backends exist here, which one STREAMNET_BACKEND selects, and why. */
@Command(name = "backend", mixinStandardHelpOptions = true,
        description = "List compute backends and show the one selected by STREAMNET_BACKEND.")
public final class BackendCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        for (BackendProvider p : Backends.providers()) {
            BackendProvider.Availability a = p.probe();
            System.out.printf("%-6s priority %-3d %-11s %s%n", p.name(), p.priority(),
                    a.available() ? "available" : "unavailable", a.reason());
        }
        Backend b = Backends.get();
        System.out.printf("selected: %s (STREAMNET_BACKEND=%s), CPU gemm kernel: %s%n", b.name(),
                Backends.configured(), CpuBackend.gemmKernel());
        return 0;
    }
}
