package io.streamnet.serving.model;

import io.streamnet.engine.checkpoint.CheckpointException;
import io.streamnet.schemas.ModelUpdate;
import io.streamnet.serving.reject.RejectReason;
import java.security.PublicKey;
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

        /**
         * Runs {@code candidate} on a small batch of synthetic input of the serving shape (and every
         * path this runtime uses, such as FORECAST); why it failed (it threw, or output NaN/Inf), or
         * null when it passed.
         */
        default String canary(M candidate) {
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
    private final PublicKey trusted;
    private M current;
    /** What the last swap replaced, until the swapped-in model has proved itself or been rolled back. */
    private M previous;
    /** The id and version last rolled back: a redelivery of it is refused, not swapped in again. */
    private String failedId;
    private long failedVersion = -1;

    /** A slot that accepts unsigned updates. */
    public ModelSlot(Kind<M> kind, int maxUpdateBytes) {
        this(kind, maxUpdateBytes, null);
    }

    /**
     * @param trusted the X.509 encoding of the Ed25519 key every update must be signed by; null:
     *                updates are not authenticated (logged once here)
     */
    public ModelSlot(Kind<M> kind, int maxUpdateBytes, byte[] trusted) {
        if (maxUpdateBytes < 1) {
            throw new IllegalArgumentException("model size limit must be positive, got " + maxUpdateBytes);
        }
        this.kind = kind;
        this.maxUpdateBytes = maxUpdateBytes;
        this.trusted = trusted == null ? null : UpdateSignatures.publicKey(trusted);
        if (trusted == null && !warnedUnsigned) {
            warnedUnsigned = true;
            LOG.warn("model updates are not authenticated: any producer to the model-updates topic can replace the"
                    + " model (configure a trusted Ed25519 key to accept only signed updates)");
        }
    }

    private static volatile boolean warnedUnsigned;

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
        if (u.getModelId().equals(failedId) && u.getVersion() == failedVersion) {
            return refused(new ModelRejected(RejectReason.FAILED_IN_SERVICE, "model " + u.getModelId() + " v"
                    + u.getVersion() + " failed in service and was rolled back; publish a newer version", null));
        }
        M next;
        try {
            // The signature first: an unauthenticated update is never parsed, however it is built.
            if (trusted != null) {
                UpdateSignatures.verify(u, trusted);
            }
            next = kind.validate(u);
        } catch (ModelRejected e) {
            return refused(e);
        } catch (RuntimeException e) {
            return refused(new ModelRejected(RejectReason.INVALID_MODEL, "model " + u.getModelId() + " v"
                    + u.getVersion() + " failed to load: " + e, e));
        }
        String why = kind.incompatibility(next, current);
        if (why != null) {
            return refused(new ModelRejected(RejectReason.INCOMPATIBLE, "model " + next + " rejected: " + why, null));
        }
        try {
            why = kind.canary(next);
        } catch (RuntimeException e) {
            why = "it threw " + e;
        }
        if (why != null) {
            return refused(new ModelRejected(RejectReason.CANARY_FAILED, "model " + next + " failed its canary batch: "
                    + why, null));
        }
        M old = current;
        current = next;
        previous = old;
        return new Swapped<>(old, next, !next.readsStateOf(old));
    }

    /**
     * The model swapped in last failed on live input: the one it replaced serves again, and the
     * failed version is refused if offered again (FAILED_IN_SERVICE).
     *
     * @return the change back (old: the failed model), or null when there is nothing to go back to
     */
    public Swapped<M> rollBack(String why) {
        if (previous == null) {
            return null;
        }
        M failed = current;
        current = previous;
        previous = null;
        failedId = failed.modelId();
        failedVersion = failed.version();
        LOG.error("model {} failed in service ({}); rolled back to {}", failed, why, current);
        return new Swapped<>(failed, current, !current.readsStateOf(failed));
    }

    /** Whether {@link #rollBack} has a model to go back to. */
    public boolean canRollBack() {
        return previous != null;
    }

    private Offer<M> refused(ModelRejected e) {
        LOG.warn("model update rejected ({}), {} keeps serving: {}", e.reason(), current, e.getMessage());
        return new Refused<>(e.reason(), e.getMessage());
    }
}
