package io.streamnet.serving.model;

import io.streamnet.engine.checkpoint.CheckpointException;
import io.streamnet.schemas.ModelUpdate;
import io.streamnet.serving.reject.RejectReason;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The model a runtime serves and the one set of rules for changing it, whatever the runtime: an
 * update for another model id, or not newer than the serving version, is ignored; one that fails
 * validation, or that this runtime cannot serve, is refused with a reason (its dead letter) and the
 * old model keeps serving; a good one is swapped in, and when the per-key state the old model wrote
 * cannot be read by the new one, the runtime must start every key afresh.
 *
 * @param <M> the served model
 */
public final class ModelSlot<M extends ServedModel<M>> {
    private static final Logger LOG = LoggerFactory.getLogger(ModelSlot.class);

    /** What the slot must know of its kind of model. */
    public interface Kind<M> {
        /** Validates and loads checkpoint bytes (the initial model, or one restored from a runtime's state). */
        M load(byte[] checkpoint, String modelId, long version) throws CheckpointException;

        /** Validates an update (checksum, format, shapes) into a model, or refuses it. */
        M validate(ModelUpdate update) throws ModelRejected;

        /** Why {@code candidate} cannot be served where {@code serving} serves now (null when first loaded); null: it can. */
        default String incompatibility(M candidate, M serving) {
            return null;
        }
    }

    /** What became of an update. */
    public sealed interface Offer<M> {
    }

    /** Not for this slot (another model id, or not newer): nothing to report. */
    public record Ignored<M>(String why) implements Offer<M> {
    }

    /** Refused: the dead letter's reason and detail; the old model keeps serving. */
    public record Refused<M>(RejectReason reason, String detail) implements Offer<M> {
    }

    /** Swapped in; with {@code resetState}, state written under {@code old} cannot be read under {@code next}. */
    public record Swapped<M>(M old, M next, boolean resetState) implements Offer<M> {
    }

    private final Kind<M> kind;
    private final int maxUpdateBytes;
    private M current;

    public ModelSlot(Kind<M> kind, int maxUpdateBytes) {
        if (maxUpdateBytes < 1) {
            throw new IllegalArgumentException("model size limit must be positive, got " + maxUpdateBytes);
        }
        this.kind = kind;
        this.maxUpdateBytes = maxUpdateBytes;
    }

    /**
     * Starts serving the checkpoint (the initial model, or the one a runtime restored from its state:
     * a restored job serves what it served when checkpointed).
     *
     * @throws IllegalArgumentException when this runtime cannot serve it
     */
    public M open(byte[] checkpoint, String modelId, long version) throws CheckpointException {
        return open(kind.load(checkpoint, modelId, version));
    }

    /** Starts serving a model the caller already validated (see {@link #open(byte[], String, long)}). */
    public M open(M m) {
        String why = kind.incompatibility(m, null);
        if (why != null) {
            throw new IllegalArgumentException("model " + m + " cannot be served here: " + why);
        }
        current = m;
        return m;
    }

    /** The model serving now. */
    public M current() {
        return current;
    }

    /** Decodes an update's bytes (Avro binary) and offers it; see {@link #offer(ModelUpdate)}. */
    public Offer<M> offer(byte[] rawUpdate) {
        try {
            return offer(ModelUpdates.decode(rawUpdate, maxUpdateBytes));
        } catch (ModelRejected e) {
            return refused(e);
        }
    }

    /** Applies the rules above; the caller reports a refusal and, after a swap, resets state if asked. */
    public Offer<M> offer(ModelUpdate u) {
        if (!u.getModelId().equals(current.modelId())) {
            LOG.debug("update for model {} ignored: this slot serves {}", u.getModelId(), current.modelId());
            return new Ignored<>("update for model " + u.getModelId() + ": this slot serves " + current.modelId());
        }
        if (u.getVersion() <= current.version()) {
            LOG.info("model {} v{} ignored: v{} is serving", u.getModelId(), u.getVersion(), current.version());
            return new Ignored<>("model " + u.getModelId() + " v" + u.getVersion() + " is not newer than v"
                    + current.version());
        }
        M next;
        try {
            next = kind.validate(u);
        } catch (ModelRejected e) {
            return refused(e);
        }
        String why = kind.incompatibility(next, current);
        if (why != null) {
            return refused(new ModelRejected(RejectReason.INCOMPATIBLE, "model " + next + " rejected: " + why, null));
        }
        M old = current;
        current = next;
        return new Swapped<>(old, next, !next.readsStateOf(old));
    }

    private Offer<M> refused(ModelRejected e) {
        LOG.warn("model update rejected ({}), {} keeps serving: {}", e.reason(), current, e.getMessage());
        return new Refused<>(e.reason(), e.getMessage());
    }
}
