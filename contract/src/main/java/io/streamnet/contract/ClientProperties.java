package io.streamnet.contract;

import java.io.IOException;
import java.io.Reader;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * The user's own Kafka client settings (security above all: SASL, SSL, their credentials), passed
 * to every client the project makes: job sources and sinks, admin, producers, consumers, Streams.
 * They win over the project's defaults, except the few that its clients depend on to work at all
 * (serializers), which are refused so that a typo cannot silently break the wire format.
 */
public final class ClientProperties implements Serializable {
    private static final long serialVersionUID = 1L;
    public static final ClientProperties NONE = new ClientProperties(Map.of());
    /** A properties file larger than this is not a client config. */
    static final long MAX_FILE_BYTES = 1 << 20;
    private static final Set<String> RESERVED = Set.of("key.serializer", "value.serializer", "key.deserializer",
            "value.deserializer", "default.key.serde", "default.value.serde");

    /** password, sasl.jaas.config, ssl.key.*, basic.auth.user.info, OAuth tokens and client secrets, ... */
    private static final List<String> SECRET_WORDS = List.of("password", "jaas", "secret", "key", "token",
            "credential", "user.info", "auth");

    private final TreeMap<String, String> values;

    private ClientProperties(Map<String, String> values) {
        for (String k : values.keySet()) {
            if (RESERVED.contains(k)) {
                throw new IllegalArgumentException("Kafka client setting '" + k + "' is set by streamnet (its wire"
                        + " formats depend on it) and cannot be overridden");
            }
        }
        this.values = new TreeMap<>(values);
    }

    public static ClientProperties of(Map<String, String> values) {
        return values.isEmpty() ? NONE : new ClientProperties(values);
    }

    /**
     * The settings of a Java properties file (null: none), then each {@code key=value} (they win).
     *
     * @throws IllegalArgumentException naming the file or the setting that is wrong
     */
    public static ClientProperties load(Path file, List<String> keyValues) {
        Map<String, String> m = new TreeMap<>();
        if (file != null) {
            try {
                if (Files.size(file) > MAX_FILE_BYTES) {
                    throw new IllegalArgumentException("Kafka client config " + file + " is larger than "
                            + MAX_FILE_BYTES + " bytes");
                }
                Properties p = new Properties();
                try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
                    p.load(r);
                }
                p.stringPropertyNames().forEach(k -> m.put(k.strip(), p.getProperty(k).strip()));
            } catch (IOException e) {
                throw new IllegalArgumentException("cannot read Kafka client config " + file + ": " + e.getMessage(), e);
            }
        }
        for (String kv : keyValues == null ? List.<String>of() : keyValues) {
            int eq = kv.indexOf('=');
            if (eq < 1) {
                throw new IllegalArgumentException("Kafka client setting '" + kv + "' is not key=value");
            }
            m.put(kv.substring(0, eq).strip(), kv.substring(eq + 1).strip());
        }
        return of(m);
    }

    /** A copy of {@code base} with these settings over it. */
    public Properties over(Properties base) {
        Properties p = new Properties();
        p.putAll(base);
        p.putAll(values);
        return p;
    }

    /** The settings alone, for a builder that takes one at a time. */
    public Map<String, String> asMap() {
        return Collections.unmodifiableMap(values);
    }

    public boolean isEmpty() {
        return values.isEmpty();
    }

    /** With {@code other}'s settings over these. */
    public ClientProperties with(ClientProperties other) {
        Map<String, String> m = new TreeMap<>(values);
        m.putAll(other.values);
        return of(m);
    }

    /** Keys with their values, secrets masked (for logs). */
    @Override
    public String toString() {
        return values.entrySet().stream().map(e -> e.getKey() + "=" + (secret(e.getKey()) ? "***" : e.getValue()))
                .collect(Collectors.joining(", ", "{", "}"));
    }

    /** Whether a setting's value may be a credential (masked in logs): by the words such settings' names use. */
    static boolean secret(String key) {
        String k = key.toLowerCase(Locale.ROOT);
        for (String word : SECRET_WORDS) {
            if (k.contains(word)) {
                return true;
            }
        }
        return false;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ClientProperties c && c.values.equals(values);
    }

    @Override
    public int hashCode() {
        return values.hashCode();
    }
}
