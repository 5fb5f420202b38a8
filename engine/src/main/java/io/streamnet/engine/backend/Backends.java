package io.streamnet.engine.backend;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Picks the backend named by {@code STREAMNET_BACKEND} (or the system property
 * {@code streamnet.backend}): {@code auto} (default: the highest-priority provider that answers,
 * else CPU), {@code cpu}, or {@code cuda}. The choice and its reason are logged once.
 */
public final class Backends {
    private static final Logger LOG = LoggerFactory.getLogger(Backends.class);
    public static final String ENV = "STREAMNET_BACKEND";
    public static final String PROPERTY = "streamnet.backend";

    private static volatile Backend chosen;
    private static final Map<String, Placement> PLACEMENTS = new ConcurrentHashMap<>();

    private Backends() {
    }

    /** The process-wide backend, chosen on first use. */
    public static Backend get() {
        Backend b = chosen;
        if (b == null) {
            synchronized (Backends.class) {
                b = chosen;
                if (b == null) {
                    b = select(configured(), providers());
                    chosen = b;
                }
            }
        }
        return b;
    }

    /**
     * Where the rounds of a workload run. {@code cpu} and {@code cuda} force one backend; {@code auto}
     * runs on the CPU when no device answers, else calibrates the workload on both ({@link
     * Calibration}) and places each round by its size. Calibrated once per {@code workload} key
     * (name the model's shapes in it) and logged once with the figures.
     */
    public static Placement placement(String workload, int[] ladder, Calibration.RoundTimer timer) {
        return PLACEMENTS.computeIfAbsent(workload, w -> {
            Placement p = place(configured(), providers(), ladder, timer);
            LOG.info("placement of {}: {}", w, p);
            return p;
        });
    }

    /** {@link #placement} without the cache: resolves {@code request} against {@code providers}. */
    static Placement place(String request, List<BackendProvider> providers, int[] ladder, Calibration.RoundTimer timer) {
        String want = request.trim().toLowerCase(Locale.ROOT);
        if (!want.equals("auto")) {
            return Placement.fixed(select(want, providers), ENV + "=" + want);
        }
        BackendProvider cpuProvider = null;
        BackendProvider deviceProvider = null;
        for (BackendProvider p : providers) {
            if (p.name().equals("cpu")) {
                cpuProvider = p;
            } else if (deviceProvider == null && p.probe().available()) {
                deviceProvider = p;
            }
        }
        if (cpuProvider == null) {
            throw new IllegalStateException("no cpu backend is installed");
        }
        Backend c = cpuProvider.create();
        if (deviceProvider == null) {
            return Placement.fixed(c, "auto: no device answers");
        }
        return Calibration.calibrate(c, deviceProvider.create(), ladder, timer);
    }

    /** The requested backend name, from the system property, then the environment, else "auto". */
    public static String configured() {
        String v = System.getProperty(PROPERTY);
        if (v == null || v.isBlank()) {
            v = System.getenv(ENV);
        }
        return v == null || v.isBlank() ? "auto" : v.trim().toLowerCase(Locale.ROOT);
    }

    public static List<BackendProvider> providers() {
        List<BackendProvider> list = new ArrayList<>();
        ServiceLoader.load(BackendProvider.class, Backends.class.getClassLoader()).forEach(list::add);
        list.sort(Comparator.comparingInt(BackendProvider::priority).reversed());
        return list;
    }

    /**
     * Resolves a request against the given providers. {@code auto} falls back to the next provider
     * when one is unavailable; a named backend that is unavailable is an error with the reason.
     */
    public static Backend select(String request, List<BackendProvider> providers) {
        String want = request.trim().toLowerCase(Locale.ROOT);
        if (want.equals("auto")) {
            StringBuilder skipped = new StringBuilder();
            for (BackendProvider p : providers) {
                BackendProvider.Availability a = p.probe();
                if (a.available()) {
                    Backend b = p.create();
                    LOG.info("backend {} selected (auto): {}{}", b.name(), a.reason(), skipped);
                    return b;
                }
                skipped.append("; ").append(p.name()).append(" unavailable: ").append(a.reason());
            }
            throw new IllegalStateException("no backend available" + skipped);
        }
        List<String> names = new ArrayList<>();
        for (BackendProvider p : providers) {
            names.add(p.name());
            if (p.name().equals(want)) {
                BackendProvider.Availability a = p.probe();
                if (!a.available()) {
                    throw new IllegalStateException(ENV + "=" + want + " but that backend is unavailable: " + a.reason());
                }
                Backend b = p.create();
                LOG.info("backend {} selected ({}={}): {}", b.name(), ENV, want, a.reason());
                return b;
            }
        }
        throw new IllegalArgumentException(ENV + "=" + request + " names no installed backend; expected auto or one of "
                + names);
    }
}
