package io.streamnet.deploy;

import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import java.util.jar.JarFile;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.FallbackKey;
import org.apache.flink.state.rocksdb.RocksDBOptions;

/**
 * The configuration keys Flink declares: every {@code ConfigOption} constant of flink-core's
 * {@code *Options} classes and RocksDB's, with their deprecated and fallback keys, read from the
 * jars the jobs run with (Flink 2.2), so a key Flink renamed or never had is caught.
 */
final class FlinkKeys {
    private FlinkKeys() {
    }

    static Set<String> all() throws IOException, URISyntaxException, ReflectiveOperationException {
        Set<String> keys = new HashSet<>();
        for (Class<?> anchor : new Class<?>[] {CheckpointingOptions.class, RocksDBOptions.class}) {
            String pkg = anchor.getPackageName().replace('.', '/') + "/";
            Path jar = Path.of(anchor.getProtectionDomain().getCodeSource().getLocation().toURI());
            try (JarFile j = new JarFile(jar.toFile())) {
                for (var e : java.util.Collections.list(j.entries())) {
                    String n = e.getName();
                    if (n.startsWith(pkg) && n.endsWith("Options.class") && n.indexOf('/', pkg.length()) < 0
                            && !n.contains("$")) {
                        collect(Class.forName(n.substring(0, n.length() - 6).replace('/', '.')), keys);
                    }
                }
            }
        }
        return keys;
    }

    private static void collect(Class<?> c, Set<String> keys) throws IllegalAccessException {
        for (Field f : c.getFields()) {
            if (Modifier.isStatic(f.getModifiers()) && ConfigOption.class.isAssignableFrom(f.getType())) {
                ConfigOption<?> o = (ConfigOption<?>) f.get(null);
                keys.add(o.key());
                for (FallbackKey k : o.fallbackKeys()) {
                    keys.add(k.getKey());
                }
            }
        }
    }
}
