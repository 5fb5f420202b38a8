package io.streamnet.engine.backend;

/**
 * An element-wise nonlinearity. Leaky ReLU carries its slope: the classic definition is
 * max(0.1x, x), so {@link #LEAKY_RELU} uses 0.1.
 */
public record Activation(Kind kind, float slope) {
    public enum Kind { IDENTITY, SIGMOID, TANH, RELU, LEAKY_RELU }

    public static final Activation IDENTITY = new Activation(Kind.IDENTITY, 0f);
    public static final Activation SIGMOID = new Activation(Kind.SIGMOID, 0f);
    public static final Activation TANH = new Activation(Kind.TANH, 0f);
    public static final Activation RELU = new Activation(Kind.RELU, 0f);
    public static final Activation LEAKY_RELU = leakyRelu(0.1f);

    public Activation {
        if (kind == null) {
            throw new IllegalArgumentException("activation kind is required");
        }
        if (kind == Kind.LEAKY_RELU && !(slope > 0f && slope < 1f)) {
            throw new IllegalArgumentException("leaky ReLU slope must be in (0, 1), got " + slope);
        }
    }

    public static Activation leakyRelu(float slope) {
        return new Activation(Kind.LEAKY_RELU, slope);
    }

    /** Parses "relu", "tanh", "sigmoid", "identity", "leaky_relu" or "leaky_relu:0.2". */
    public static Activation parse(String text) {
        String t = text.trim().toLowerCase(java.util.Locale.ROOT);
        if (t.startsWith("leaky_relu")) {
            int colon = t.indexOf(':');
            return colon < 0 ? LEAKY_RELU : leakyRelu(Float.parseFloat(t.substring(colon + 1)));
        }
        return switch (t) {
            case "identity", "linear" -> IDENTITY;
            case "sigmoid" -> SIGMOID;
            case "tanh" -> TANH;
            case "relu" -> RELU;
            default -> throw new IllegalArgumentException("unknown activation '" + text
                    + "' (expected identity, sigmoid, tanh, relu, leaky_relu[:slope])");
        };
    }

    /** The inverse of {@link #parse}. */
    public String spec() {
        return kind == Kind.LEAKY_RELU ? "leaky_relu:" + slope : kind.name().toLowerCase(java.util.Locale.ROOT);
    }
}
