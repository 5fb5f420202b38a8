package io.streamnet.engine.cuda;

import io.streamnet.engine.backend.BackendProvider.Availability;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import jcuda.driver.CUcontext;
import jcuda.driver.CUdevice;
import jcuda.driver.CUdevice_attribute;
import jcuda.driver.CUfunction;
import jcuda.driver.CUmodule;
import jcuda.driver.JCudaDriver;

/**
 * The process-wide CUDA device: driver initialised once, the device's primary context, and every
 * {@link CudaKernel} loaded from its committed PTX (the driver JIT-compiles PTX for the device on
 * load). Created at most once; a failure (no driver library, no device, a PTX the driver cannot
 * compile) is cached as well, so later calls answer at once with the same reason. JCuda throws
 * {@link UnsatisfiedLinkError} on the first call without a driver and {@link NoClassDefFoundError}
 * afterwards, so the verdict must be kept, not recomputed.
 *
 * <p>Device ordinal: system property {@code streamnet.cuda.device} or environment
 * {@code STREAMNET_CUDA_DEVICE}, default 0.
 */
public final class CudaContext {
    /** Oldest device the PTX (compute_80) can be JIT-compiled for. */
    static final int MIN_COMPUTE_CAPABILITY = 80;

    private static final Object LOCK = new Object();
    private static final Pattern MISSING_LIBRARY =
            Pattern.compile("([\\w.+-]+\\.so[\\w.]*): cannot open shared object file: ([^\\n]*)");
    private static CudaContext instance;
    private static Availability verdict;

    private final CUdevice device;
    private final CUcontext context;
    private final int ordinal;
    private final String deviceName;
    private final int computeCapability;
    private final int multiprocessors;
    private final long totalMemory;
    private final int driverVersion;
    private final long loadMillis;
    private final Map<CudaKernel, CUfunction> functions = new EnumMap<>(CudaKernel.class);

    private CudaContext() {
        long start = System.nanoTime();
        JCudaDriver.setExceptionsEnabled(true);
        JCudaDriver.cuInit(0);
        int[] version = new int[1];
        JCudaDriver.cuDriverGetVersion(version);
        this.driverVersion = version[0];
        int[] count = new int[1];
        JCudaDriver.cuDeviceGetCount(count);
        this.ordinal = configuredOrdinal();
        if (count[0] == 0) {
            throw new CudaUnavailableException("the driver (CUDA " + versionString(driverVersion) + ") sees no device");
        }
        if (ordinal < 0 || ordinal >= count[0]) {
            throw new CudaUnavailableException("device " + ordinal + " requested but the driver sees " + count[0]);
        }
        this.device = new CUdevice();
        JCudaDriver.cuDeviceGet(device, ordinal);
        byte[] name = new byte[256];
        JCudaDriver.cuDeviceGetName(name, name.length, device);
        int len = 0;
        while (len < name.length && name[len] != 0) {
            len++;
        }
        this.deviceName = new String(name, 0, len, StandardCharsets.UTF_8);
        this.computeCapability = 10 * attribute(CUdevice_attribute.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR)
                + attribute(CUdevice_attribute.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR);
        this.multiprocessors = attribute(CUdevice_attribute.CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT);
        long[] mem = new long[1];
        JCudaDriver.cuDeviceTotalMem(mem, device);
        this.totalMemory = mem[0];
        if (computeCapability < MIN_COMPUTE_CAPABILITY) {
            throw new CudaUnavailableException(deviceName + " has compute capability " + computeCapability / 10 + "."
                    + computeCapability % 10 + "; the kernels need 8.0 or newer");
        }
        this.context = new CUcontext();
        JCudaDriver.cuDevicePrimaryCtxRetain(context, device);
        JCudaDriver.cuCtxSetCurrent(context);
        loadModules();
        this.loadMillis = (System.nanoTime() - start) / 1_000_000;
    }

    /** The context, creating it on first use; throws {@link CudaUnavailableException} with the reason. */
    public static CudaContext get() {
        synchronized (LOCK) {
            availability();
            if (instance == null) {
                throw new CudaUnavailableException(verdict.reason());
            }
            return instance;
        }
    }

    /** Whether CUDA works here, and why (never throws). The first call initialises the device. */
    public static Availability availability() {
        synchronized (LOCK) {
            if (verdict == null) {
                try {
                    // JCudaDriver's class initialisation loads the native library: from a private directory
                    instance = NativeLibraryDir.loading(driverLibraryResource(), CudaContext::new);
                    verdict = Availability.yes(instance.describe());
                } catch (LinkageError | RuntimeException e) {
                    verdict = Availability.no(reason(e));
                }
            }
            return verdict;
        }
    }

    /** Where JCuda's jar keeps the driver binding's native library for this platform. */
    static String driverLibraryResource() {
        return "/lib/" + System.mapLibraryName(
                jcuda.LibUtils.createPlatformLibraryName("JCudaDriver-" + jcuda.JCudaVersion.get()));
    }

    /** Makes this context current on the calling thread (the driver keeps one per thread). */
    void makeCurrent() {
        JCudaDriver.cuCtxSetCurrent(context);
    }

    CUfunction function(CudaKernel k) {
        return functions.get(k);
    }

    public String deviceName() {
        return deviceName;
    }

    /** e.g. 90 for sm_90. */
    public int computeCapability() {
        return computeCapability;
    }

    public int multiprocessors() {
        return multiprocessors;
    }

    public long totalMemory() {
        return totalMemory;
    }

    /** The driver's CUDA version as the driver reports it, e.g. 13000 for 13.0. */
    public int driverVersion() {
        return driverVersion;
    }

    public int ordinal() {
        return ordinal;
    }

    /** Milliseconds spent on initialisation, most of it the JIT of the PTX modules. */
    public long loadMillis() {
        return loadMillis;
    }

    public String describe() {
        return String.format(Locale.ROOT, "%s (device %d, sm_%d, %d SMs, %.1f GiB), driver CUDA %s, %d kernels JIT-loaded from PTX in %d ms",
                deviceName, ordinal, computeCapability, multiprocessors, totalMemory / (1024.0 * 1024 * 1024),
                versionString(driverVersion), functions.size(), loadMillis);
    }

    static String versionString(int v) {
        return v / 1000 + "." + (v % 1000) / 10;
    }

    private int attribute(int attr) {
        int[] v = new int[1];
        JCudaDriver.cuDeviceGetAttribute(v, attr, device);
        return v[0];
    }

    private void loadModules() {
        Map<String, CUmodule> modules = new LinkedHashMap<>();
        for (CudaKernel k : CudaKernel.values()) {
            CUmodule m = modules.get(k.module());
            if (m == null) {
                m = new CUmodule();
                byte[] ptx = ptx(k.resource());
                try {
                    JCudaDriver.cuModuleLoadData(m, ptx);
                } catch (RuntimeException e) {
                    throw new CudaUnavailableException("the driver (CUDA " + versionString(driverVersion)
                            + ") could not load " + k.resource() + ": " + e.getMessage(), e);
                }
                modules.put(k.module(), m);
            }
            CUfunction f = new CUfunction();
            JCudaDriver.cuModuleGetFunction(f, m, k.entry());
            functions.put(k, f);
        }
    }

    /** The PTX text of a resource, NUL-terminated as cuModuleLoadData expects. */
    static byte[] ptx(String resource) {
        try (InputStream in = CudaContext.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new CudaUnavailableException("PTX resource " + resource + " is missing from the class path");
            }
            byte[] text = in.readAllBytes();
            return Arrays.copyOf(text, text.length + 1);
        } catch (IOException e) {
            throw new CudaUnavailableException("cannot read PTX resource " + resource + ": " + e.getMessage(), e);
        }
    }

    private static int configuredOrdinal() {
        String v = System.getProperty("streamnet.cuda.device");
        if (v == null || v.isBlank()) {
            v = System.getenv("STREAMNET_CUDA_DEVICE");
        }
        if (v == null || v.isBlank()) {
            return 0;
        }
        try {
            return Integer.parseInt(v.trim());
        } catch (NumberFormatException e) {
            throw new CudaUnavailableException("device ordinal '" + v + "' is not a number");
        }
    }

    /** One line: the exception and its causes, e.g. the loader's "libcuda.so.1: cannot open shared object file". */
    static String reason(Throwable e) {
        // JCuda's loader error embeds the nested traces of every attempt; the dynamic linker's
        // complaint (usually libcuda.so.1 missing: no NVIDIA driver) is the part that matters.
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            Matcher m = MISSING_LIBRARY.matcher(String.valueOf(t.getMessage()));
            if (t instanceof LinkageError && m.find()) {
                String lib = m.group(1);
                return t.getClass().getSimpleName() + ": JCuda's driver library could not be loaded: " + lib
                        + ": cannot open shared object file: " + m.group(2).trim()
                        + (lib.startsWith("libcuda.so") ? " (no NVIDIA driver on this machine)" : "");
            }
        }
        StringBuilder sb = new StringBuilder();
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (sb.length() > 0) {
                sb.append(" <- ");
            }
            String msg = t.getMessage();
            if (!(t instanceof CudaUnavailableException)) {
                sb.append(t.getClass().getSimpleName()).append(msg == null ? "" : ": ");
            }
            if (msg != null) {
                sb.append(msg.replaceAll("\\s*\\R\\s*", " ").trim());
            }
        }
        String s = sb.toString();
        return s.length() > 600 ? s.substring(0, 600) + "..." : s;
    }
}
