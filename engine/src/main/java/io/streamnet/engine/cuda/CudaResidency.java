package io.streamnet.engine.cuda;

import io.streamnet.engine.backend.Residency;
import io.streamnet.engine.tensor.Tensor;
import java.lang.ref.Cleaner;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import jcuda.Pointer;
import jcuda.driver.CUdeviceptr;
import jcuda.driver.JCudaDriver;

/**
 * {@link Residency} on a {@link CudaBackend}: one {@link Mirror} (a device buffer the size of the
 * host array) per float[] a run's operations touch, found by the array's identity, so that a
 * tensor and its views share one device copy. During {@link #run} the backend resolves each
 * operand through the mirrors instead of copying it in and out; its CPU-delegated operations bring
 * their operands home first and mark what they wrote stale on the device. The backend's lock is
 * held for the whole run, so no other thread's calls fall inside it.
 *
 * <p>A mirror no run has touched for {@link #EVICT_AFTER_RUNS} runs is freed (a step that stopped
 * using an array). Uploads go from the Java arrays themselves (JCuda pins them for the copy). The
 * owner closes the residency; one that becomes unreachable unclosed is freed by a cleaner.
 */
public final class CudaResidency implements Residency, Mirror.Copier {
    static final int EVICT_AFTER_RUNS = 64;
    private static final Cleaner CLEANER = Cleaner.create();

    private final CudaBackend backend;
    private final CudaContext ctx;
    private final Set<float[]> constants = Collections.newSetFromMap(new IdentityHashMap<>());
    private final Map<float[], Mirror> mirrors = new IdentityHashMap<>();
    private final Scope scope = this::keep;
    private long runs;
    private long uploads;
    private long uploadedBytes;
    private long downloads;
    private long downloadedBytes;
    private boolean closed;
    private final Cleaner.Cleanable cleanable;

    CudaResidency(CudaBackend backend, CudaContext ctx, List<Tensor> constants) {
        this.backend = backend;
        this.ctx = ctx;
        for (Tensor t : constants) {
            this.constants.add(t.data());
        }
        this.cleanable = CLEANER.register(this, new Release(backend, ctx, mirrors));
    }

    /** Frees the mirrors' device memory: on close, or once the residency is unreachable. Holds no reference to it. */
    private record Release(CudaBackend backend, CudaContext ctx, Map<float[], Mirror> mirrors) implements Runnable {
        @Override
        public void run() {
            synchronized (backend) {
                ctx.makeCurrent();
                for (Mirror m : mirrors.values()) {
                    JCudaDriver.cuMemFree(m.device);
                }
                mirrors.clear();
            }
        }
    }

    @Override
    public void run(Step step) {
        synchronized (backend) {
            if (closed) {
                throw new IllegalStateException("residency is closed");
            }
            ctx.makeCurrent();
            runs++;
            backend.enter(this);
            try {
                step.run(scope);
            } finally {
                backend.exit(this);
                endRun();
            }
        }
    }

    @Override
    public CopyCounts copies() {
        synchronized (backend) {
            return new CopyCounts(uploads, uploadedBytes, downloads, downloadedBytes);
        }
    }

    /** Device bytes held by this residency's mirrors. */
    public long deviceBytes() {
        synchronized (backend) {
            long b = 0;
            for (Mirror m : mirrors.values()) {
                b += 4L * m.host.length;
            }
            return b;
        }
    }

    @Override
    public void close() {
        synchronized (backend) {
            if (closed) {
                return;
            }
            closed = true;
            cleanable.clean();
        }
    }

    // ---- called by CudaBackend during a run (it holds the lock) ----

    /** t's device copy, current: the device is about to read it. */
    CUdeviceptr read(Tensor t) {
        Mirror m = mirror(t);
        m.read(t.offset(), t.offset() + t.size(), this);
        return at(m, t);
    }

    /** t's device copy, about to be overwritten by the device. */
    CUdeviceptr write(Tensor t) {
        Mirror m = mirror(t);
        m.write(t.offset(), t.offset() + t.size(), this);
        return at(m, t);
    }

    /** The device wrote t in place (after {@link #read}). */
    void wrote(Tensor t) {
        mirror(t).wrote(t.offset(), t.offset() + t.size());
    }

    /** A CPU operation is about to read t. */
    void toHost(Tensor t) {
        if (t != null) {
            Mirror m = mirrors.get(t.data());
            if (m != null) {
                m.hostRead(t.offset(), t.offset() + t.size(), this);
            }
        }
    }

    /** A CPU operation wrote t. */
    void fromHost(Tensor t) {
        if (t != null) {
            Mirror m = mirrors.get(t.data());
            if (m != null) {
                m.hostWrote(t.offset(), t.offset() + t.size(), this);
            }
        }
    }

    private void keep(Tensor t) {
        toHost(t);
    }

    private Mirror mirror(Tensor t) {
        float[] a = t.data();
        Mirror m = mirrors.get(a);
        if (m == null) {
            m = new Mirror(a, constants.contains(a));
            m.device = new CUdeviceptr();
            JCudaDriver.cuMemAlloc(m.device, Math.max(4L * a.length, 4L));
            mirrors.put(a, m);
        }
        m.lastRun = runs;
        return m;
    }

    private static CUdeviceptr at(Mirror m, Tensor t) {
        return t.offset() == 0 ? m.device : m.device.withByteOffset(4L * t.offset());
    }

    private void endRun() {
        List<Mirror> stale = null;
        for (Iterator<Mirror> it = mirrors.values().iterator(); it.hasNext(); ) {
            Mirror m = it.next();
            m.endRun();
            if (!m.constant && runs - m.lastRun >= EVICT_AFTER_RUNS) {
                if (stale == null) {
                    stale = new ArrayList<>();
                }
                stale.add(m);
                it.remove();
            }
        }
        if (stale != null) {
            for (Mirror m : stale) {
                JCudaDriver.cuMemFree(m.device);
            }
        }
    }

    // ---- Mirror.Copier ----

    @Override
    public void upload(Mirror m, int from, int to) {
        long bytes = 4L * (to - from);
        JCudaDriver.cuMemcpyHtoD(m.device.withByteOffset(4L * from), Pointer.to(m.host).withByteOffset(4L * from), bytes);
        uploads++;
        uploadedBytes += bytes;
    }

    @Override
    public void download(Mirror m, int from, int to) {
        long bytes = 4L * (to - from);
        JCudaDriver.cuMemcpyDtoH(Pointer.to(m.host).withByteOffset(4L * from), m.device.withByteOffset(4L * from), bytes);
        downloads++;
        downloadedBytes += bytes;
    }
}
