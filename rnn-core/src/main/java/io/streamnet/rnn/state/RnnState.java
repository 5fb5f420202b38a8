package io.streamnet.rnn.state;

import java.util.Arrays;

/**
 * One key's recurrent state as a value: the layout it belongs to and its floats. Steps return new
 * states; nothing here is shared with a model, so a stream engine can store it per key.
 */
public final class RnnState {
    private final StateLayout layout;
    private final float[] values;

    public RnnState(StateLayout layout, float[] values) {
        if (values.length != layout.size()) {
            throw new IllegalArgumentException("state of " + values.length + " floats does not fit layout " + layout
                    + " (" + layout.size() + " floats)");
        }
        this.layout = layout;
        this.values = values;
    }

    public static RnnState zeros(StateLayout layout) {
        return new RnnState(layout, new float[layout.size()]);
    }

    public StateLayout layout() {
        return layout;
    }

    /** The floats, not copied: treat as read-only. */
    public float[] values() {
        return values;
    }

    /** Layer {@code l}'s hidden vector h (a copy). */
    public float[] hidden(int layer) {
        int off = layer * layout.perLayer();
        return Arrays.copyOfRange(values, off, off + layout.hidden());
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RnnState s && s.layout.equals(layout) && Arrays.equals(s.values, values);
    }

    @Override
    public int hashCode() {
        return 31 * layout.hashCode() + Arrays.hashCode(values);
    }
}
