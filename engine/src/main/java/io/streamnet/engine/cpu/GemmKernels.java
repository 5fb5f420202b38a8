package io.streamnet.engine.cpu;

import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Chooses the micro-kernel once per JVM from what the CPU and JVM offer: the 8x32 AVX-512 kernel, the
 * 4x16 AVX2 kernel, or the scalar kernel when the incubator Vector API module is absent.
 * {@code -Dstreamnet.gemm=scalar|vector256|vector512} forces one (for comparisons).
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
        String forced = System.getProperty("streamnet.gemm", "");
        if (forced.equalsIgnoreCase("scalar")) {
            return log(new Choice("scalar", ScalarMicroKernel::new, "forced by -Dstreamnet.gemm=scalar"));
        }
        if (ModuleLayer.boot().findModule("jdk.incubator.vector").isEmpty()) {
            return log(new Choice("scalar", ScalarMicroKernel::new,
                    "jdk.incubator.vector not enabled (start the JVM with --add-modules jdk.incubator.vector for the vector kernels)"));
        }
        try {
            int bits = VectorWidth.preferredBits();
            if (forced.equalsIgnoreCase("vector512") || (forced.isEmpty() && bits >= 512)) {
                return log(new Choice("vector512", Vector8x32MicroKernel::new, "Vector API, 8x32 tile on 512-bit FMA"
                        + (bits < 512 ? " (forced; this CPU prefers " + bits + "-bit, so it is emulated)" : "")));
            }
            if (bits >= 256 || forced.equalsIgnoreCase("vector256")) {
                return log(new Choice("vector256", Vector4x16MicroKernel::new, "Vector API, 4x16 tile on 256-bit FMA"));
            }
            return log(new Choice("scalar", ScalarMicroKernel::new, "CPU has no 256-bit vectors"));
        } catch (LinkageError e) {
            return log(new Choice("scalar", ScalarMicroKernel::new, "Vector API unusable: " + e));
        }
    }

    private static Choice log(Choice c) {
        LOG.info("gemm micro-kernel {}: {}", c.name(), c.reason());
        return c;
    }
}
