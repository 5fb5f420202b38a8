package io.streamnet.engine.cpu;

import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Chooses the micro-kernel once per JVM: the Vector API kernel when the incubator module is present
 * and the CPU has 256-bit vectors, else the scalar kernel. {@code -Dstreamnet.gemm=scalar} forces the
 * scalar one (for comparisons).
 */
final class GemmKernels {
    private static final Logger LOG = LoggerFactory.getLogger(GemmKernels.class);
    private static final Choice CHOICE = choose();

    private GemmKernels() {
    }

    record Choice(String name, Supplier<MicroKernel> factory, String reason) {
    }

    static Choice choice() {
        return CHOICE;
    }

    private static Choice choose() {
        if ("scalar".equalsIgnoreCase(System.getProperty("streamnet.gemm"))) {
            return log(new Choice("scalar", ScalarMicroKernel::new, "forced by -Dstreamnet.gemm=scalar"));
        }
        if (ModuleLayer.boot().findModule("jdk.incubator.vector").isEmpty()) {
            return log(new Choice("scalar", ScalarMicroKernel::new,
                    "jdk.incubator.vector not enabled (start the JVM with --add-modules jdk.incubator.vector for the vector kernel)"));
        }
        try {
            if (!VectorMicroKernel.supported()) {
                return log(new Choice("scalar", ScalarMicroKernel::new, "CPU has no 256-bit vectors"));
            }
            return log(new Choice("vector256", VectorMicroKernel::new, "Vector API, 256-bit FMA"));
        } catch (LinkageError e) {
            return log(new Choice("scalar", ScalarMicroKernel::new, "Vector API unusable: " + e));
        }
    }

    private static Choice log(Choice c) {
        LOG.info("gemm micro-kernel {}: {}", c.name(), c.reason());
        return c;
    }
}
