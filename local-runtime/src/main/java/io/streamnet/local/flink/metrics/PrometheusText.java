package io.streamnet.local.flink.metrics;

import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The Prometheus text exposition format (version 0.0.4) for Flink's metrics, named the way
 * Flink's own Prometheus reporter names them, so that queries written for it work here:
 * {@code flink_<logical scope>_<name>}, variables as labels without their angle brackets.
 */
final class PrometheusText {
    private static final Pattern INVALID = Pattern.compile("[^a-zA-Z0-9:_]");

    private PrometheusText() {
    }

    /** A metric or label name: every character Prometheus does not allow becomes '_'. */
    static String name(String raw) {
        String s = INVALID.matcher(raw).replaceAll("_");
        return s.isEmpty() || Character.isDigit(s.charAt(0)) ? "_" + s : s;
    }

    static String labelValue(String raw) {
        return raw.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
    }

    static void type(StringBuilder out, String family, String type) {
        out.append("# TYPE ").append(family).append(' ').append(type).append('\n');
    }

    /** One sample line; {@code extra} is one more label (a quantile) or null. */
    static void sample(StringBuilder out, String name, Map<String, String> labels, String extraKey, String extraValue,
                       double value) {
        out.append(name);
        if (!labels.isEmpty() || extraKey != null) {
            out.append('{');
            boolean first = true;
            for (Map.Entry<String, String> l : labels.entrySet()) {
                first = label(out, first, l.getKey(), l.getValue());
            }
            if (extraKey != null) {
                label(out, first, extraKey, extraValue);
            }
            out.append('}');
        }
        out.append(' ').append(number(value)).append('\n');
    }

    private static boolean label(StringBuilder out, boolean first, String key, String value) {
        if (!first) {
            out.append(',');
        }
        out.append(key).append("=\"").append(labelValue(value)).append('"');
        return false;
    }

    static String number(double v) {
        if (Double.isNaN(v)) {
            return "NaN";
        }
        if (Double.isInfinite(v)) {
            return v > 0 ? "+Inf" : "-Inf";
        }
        return v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v) : String.format(Locale.ROOT, "%s", v);
    }
}
