package io.streamnet.serving.sequence;

import io.streamnet.rnn.model.ModelConfig;
import io.streamnet.serving.model.ServedSequenceModel;
import io.streamnet.serving.reject.RejectReason;
import io.streamnet.serving.reject.Rejected;

/**
 * An event with its input steps resolved against the serving model: the token ids of its text (or
 * the ids it carries), or its one feature vector; an end marker may carry no step at all.
 */
public final class SequenceInput {
    /** Most steps one event may carry by default (a text of this many tokens). */
    public static final int DEFAULT_MAX_STEPS = 10_000;

    public final SequenceEvent event;
    private final int[] ids;
    /** Refused or failed while its steps ran: its later steps are skipped. */
    private boolean dropped;
    /** The key's state after this event's last step that ran, until its last step stores it ({@link SequenceLifecycle}). */
    float[] carried;
    /** The key had no state when this event's first step ran. */
    boolean opens;

    private SequenceInput(SequenceEvent event, int[] ids) {
        this.event = event;
        this.ids = ids;
    }

    /**
     * Checks {@code e} against {@code m}: the input kind (text for token models, features for
     * feature models), token ids inside the vocabulary, the feature width, at most
     * {@code maxSteps} steps, and text that tokenizes to something unless it is an end marker.
     *
     * @throws Rejected with WRONG_INPUT, BAD_TOKEN, EMPTY_TEXT, OVERSIZED or WRONG_DIMENSION
     */
    public static SequenceInput of(SequenceEvent e, ServedSequenceModel m, int maxSteps) {
        ModelConfig c = m.model().config();
        if (c.tokenInput()) {
            if (e.features != null) {
                throw rejected(RejectReason.WRONG_INPUT, "feature vector sent to a token model", m);
            }
            int[] ids;
            if (e.tokenIds != null && e.tokenIds.length > 0) {
                for (int id : e.tokenIds) {
                    if (id < 0 || id >= c.vocabSize()) {
                        throw rejected(RejectReason.BAD_TOKEN, "token id " + id + " outside the vocabulary of "
                                + c.vocabSize(), m);
                    }
                }
                ids = e.tokenIds;
            } else if (e.text != null && !e.text.isBlank()) {
                ids = m.vocabulary().encode(e.text);
            } else {
                ids = new int[0];
            }
            if (ids.length == 0 && !e.end) {
                throw rejected(RejectReason.EMPTY_TEXT, "event of key " + e.key + " has no tokens", m);
            }
            if (ids.length > maxSteps) {
                throw rejected(RejectReason.OVERSIZED, ids.length + " tokens in one event, limit " + maxSteps, m);
            }
            return new SequenceInput(e, ids);
        }
        if (e.features == null) {
            if (e.end && !e.hasSteps()) {
                return new SequenceInput(e, null);
            }
            throw rejected(RejectReason.WRONG_INPUT, "text sent to a feature model", m);
        }
        if (e.features.length != c.inputSize()) {
            throw rejected(RejectReason.WRONG_DIMENSION, e.features.length + " features, the model reads "
                    + c.inputSize(), m);
        }
        return new SequenceInput(e, null);
    }

    private static Rejected rejected(RejectReason reason, String detail, ServedSequenceModel m) {
        return new Rejected(reason, detail + " (model " + m + ")");
    }

    /** Steps this event takes: its tokens, 1 for a feature vector, 0 for an end marker without input. */
    public int steps() {
        return ids != null ? ids.length : event.features != null ? 1 : 0;
    }

    /** The token of step {@code step} (token models). */
    public int token(int step) {
        return ids[step];
    }

    /** This event was dead-lettered part-way: its remaining steps must not run. */
    public void drop() {
        dropped = true;
    }

    public boolean dropped() {
        return dropped;
    }
}
