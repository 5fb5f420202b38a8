package io.streamnet.serving.resident;

import io.streamnet.engine.backend.Backend;
import io.streamnet.engine.backend.Residency;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;

/**
 * A device backend that keeps every residency it hands out, so that the host-device copies of
 * what runs on it can be counted from outside: the serving classes expose none. Every call goes to
 * the device as it is.
 */
final class CountingDevice {
    private final List<Residency> made = new ArrayList<>();
    private final Backend backend;

    CountingDevice(Backend device) {
        this.backend = (Backend) Proxy.newProxyInstance(Backend.class.getClassLoader(), new Class<?>[] {Backend.class},
                (proxy, method, args) -> {
                    Object result;
                    try {
                        result = method.invoke(device, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                    if (result instanceof Residency r && method.getName().equals("residency")) {
                        made.add(r);
                    }
                    return result;
                });
    }

    /** The device, as the classes under test are to see it. */
    Backend backend() {
        return backend;
    }

    /** Host-device copies of every residency handed out so far. */
    Residency.CopyCounts copies() {
        long u = 0;
        long ub = 0;
        long d = 0;
        long db = 0;
        for (Residency r : made) {
            Residency.CopyCounts c = r.copies();
            u += c.uploads();
            ub += c.uploadedBytes();
            d += c.downloads();
            db += c.downloadedBytes();
        }
        return new Residency.CopyCounts(u, ub, d, db);
    }
}
