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
    /** The signature of the update that made {@code current} (null: unsigned, or not an update). */
    private byte[] currentSignature;
    /** What the last swap replaced, until the swapped-in model has proved itself or been rolled back. */
    private M previous;
    private byte[] previousSignature;
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
        if (m.version() < 0 || m.version() > UpdateHeader.MAX_VERSION) {
            throw new IllegalArgumentException("model " + m + ": versions are 0 to " + UpdateHeader.MAX_VERSION
                    + ", so that later versions always remain");
        }
        String why = kind.incompatibility(m, null);
        if (why != null) {
            throw new IllegalArgumentException("model " + m + " cannot be served here: " + why);
        }
        current = m;
        currentSignature = null;
        return m;
    }

    /**
     * Starts serving the model a runtime restored from its state, if this slot may trust it: without
     * a trusted key, always; with one, only when {@code signature} (the one its update carried, kept
     * in the state) verifies over its id, version and the SHA-256 of its checkpoint bytes, and its
     * version is in range (without a key too). A model accepted before signing was turned on is not
     * trusted now: then this returns null (logged with the reason), and the runtime serves the model
     * it was started with, which whoever started it trusts ({@link #open(byte[], String, long)}); the
     * newest signed version then swaps in as updates arrive. A model that no longer loads or fits this
     * runtime (its incompatibility) is not served either: null too, never an exception.
     */
    public M restore(byte[] checkpoint, String modelId, long version, byte[] signature) {
        if (version < 0 || version > UpdateHeader.MAX_VERSION) {
            // Accepted before versions were bounded: it would block every later version.
            LOG.error("the model restored from state is not served: model {} v{} ({}): versions are 0 to {}. Serving"
                    + " the model the job was started with instead", modelId, version, RejectReason.BAD_VERSION,
                    UpdateHeader.MAX_VERSION);
            return null;
        }
        if (trusted != null) {
            try {
                UpdateSignatures.verify(modelId, version, ModelUpdates.sha256(checkpoint), signature, trusted);
            } catch (ModelRejected e) {
                LOG.error("the model restored from state is not served: {} ({}); updates must now be signed by the"
                        + " trusted key, and this one was accepted before they had to be. Serving the model the job"
                        + " was started with instead", e.getMessage(), e.reason());
                return null;
            }
        }
        M m;
        try {
            m = open(kind.load(checkpoint, modelId, version));
        } catch (CheckpointException | RuntimeException e) {
            // Accepted by a release whose checks were looser, or served under settings it does not fit now: thrown,
            // it would fail the runtime at every restart from this state.
            LOG.error("the model restored from state is not served: model {} v{} no longer loads or fits here ({})."
                    + " Serving the model the job was started with instead", modelId, version, e.toString());
            return null;
        }
        currentSignature = signature == null || signature.length == 0 ? null : signature.clone();
        return m;
    }

    /**
     * The signature of the update that made the serving model (null: unsigned, or not from an
     * update); runtimes keep it in their state for {@link #restore}.
     */
    public byte[] currentSignature() {
        return currentSignature == null ? null : currentSignature.clone();
    }

    /** The model serving now. */
    public M current() {
        return current;
    }

    /**
     * Offers an update's bytes (Avro binary). Nothing of it is built before it is known to be for
     * this slot, newer, and (with a trusted key) signed: its header is read from the raw bytes, every
     * field checked against its limit ({@link UpdateHeader}), and the signature checked over the raw
     * signed fields; only then is it decoded and validated. See {@link #offer(ModelUpdate)}.
     */
    public Offer<M> offer(byte[] rawUpdate) {
        UpdateHeader h;
        try {
            h = UpdateHeader.read(rawUpdate, maxUpdateBytes);
        } catch (ModelRejected e) {
            return refused(e);
        }
        Offer<M> skip = screen(h.modelId(), h.version());
        if (skip != null) {
            return skip;
        }
        ModelUpdate u;
        try {
            if (trusted != null) {
                UpdateSignatures.verify(h, trusted);
            }
            u = ModelUpdates.decode(rawUpdate, h);
        } catch (ModelRejected e) {
            return refused(e);
        }
        return validated(u, h.signature());
    }

    /** Applies the rules above; the caller reports a refusal and, after a swap, resets state if asked. */
    public Offer<M> offer(ModelUpdate u) {
        String id = u.getModelId().toString();
        if (u.getVersion() < 0 || u.getVersion() > UpdateHeader.MAX_VERSION) {
            return refused(new ModelRejected(RejectReason.BAD_VERSION, "model " + id + " v" + u.getVersion()
                    + ": versions are 0 to " + UpdateHeader.MAX_VERSION, null));
        }
        Offer<M> skip = screen(id, u.getVersion());
        if (skip != null) {
            return skip;
        }
        byte[] signature = null;
        if (u.getSignature() != null) {
            signature = new byte[u.getSignature().remaining()];
            u.getSignature().duplicate().get(signature);
        }
        try {
            // The signature first: an unauthenticated update is never parsed, however it is built.
            if (trusted != null) {
                UpdateSignatures.verify(u, trusted);
            }
        } catch (ModelRejected e) {
            return refused(e);
        }
        return validated(u, signature);
    }

    /** Ignored (another id, not newer) or refused (rolled back before) without looking further; null: go on. */
    private Offer<M> screen(String id, long version) {
        if (!id.equals(current.modelId())) {
            LOG.debug("update for model {} ignored: this slot serves {}", id, current.modelId());
            return new Ignored<>("update for model " + id + ": this slot serves " + current.modelId());
        }
        if (version <= current.version()) {
            LOG.info("model {} v{} ignored: v{} is serving", id, version, current.version());
            return new Ignored<>("model " + id + " v" + version + " is not newer than v" + current.version());
        }
        if (id.equals(failedId) && version == failedVersion) {
            return refused(new ModelRejected(RejectReason.FAILED_IN_SERVICE, "model " + id + " v"
                    + version + " failed in service and was rolled back; publish a newer version", null));
        }
        return null;
    }

    /** The update is authenticated (or need not be): validate, judge and swap it in. */
    private Offer<M> validated(ModelUpdate u, byte[] signature) {
        M next;
        try {
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
        previousSignature = currentSignature;
        currentSignature = signature;
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
        currentSignature = previousSignature;
        previousSignature = null;
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
