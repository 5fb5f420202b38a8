package io.streamnet.serving.wire;

import java.util.Locale;

/** How a topic's record values are written: Avro binary (the contract) or JSON (for any producer, kcat included). */
public enum WireFormat {
    AVRO,
    JSON;

    public static WireFormat parse(String s) {
        try {
            return valueOf(s.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown wire format '" + s + "' (expected avro or json)", e);
        }
    }
}
