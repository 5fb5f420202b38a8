package io.streamnet.serving.reject;

import io.streamnet.engine.checkpoint.CheckpointException;

/**
 * Why a record or a model update was not used: the {@code reason} of every dead letter, in every
 * runtime. The one list of them; no reason is spelled anywhere else.
 */
public enum RejectReason {
    // ---- the bytes (any record) ----
    /** No bytes, or a JSON document with no value. */
    EMPTY,
    /** More bytes than the topic's record limit, or more steps in one event than the limit. */
    OVERSIZED,
    /** Not Avro binary of the expected record. */
    UNDECODABLE,
    /** Bytes left over after one Avro record. */
    TRAILING_BYTES,
    MALFORMED_JSON,
    MISSING_FIELD,
    WRONG_TYPE,

    // ---- the event, whatever the model ----
    /** An empty sequence key or camera id. */
    MISSING_KEY,
    /** A sequence key or camera id longer than the limit (its outputs would not fit their topics). */
    KEY_TOO_LONG,
    /** An event time outside the accepted range. */
    BAD_EVENT_TIME,
    /** The Kafka record key differs from the key the payload names (state is partitioned by key). */
    KEY_MISMATCH,
    /** A text event with no text, no token ids and no end marker. */
    EMPTY_TEXT,
    /** A step event without features, or with another width than the model reads. */
    WRONG_DIMENSION,
    /** A NaN or infinite feature. */
    NON_FINITE,
    BAD_FRAME_NUMBER,
    /** Frame sides or channels outside the accepted range. */
    BAD_DIMENSIONS,
    /** Pixel bytes other than height x width x channels. */
    PIXEL_COUNT,
    BAD_LABEL,
    /** An event whose seq (frame number) equals the last one stepped for its key. */
    DUPLICATE,
    /** An event whose seq (frame number) is below the last one stepped for its key. */
    OUT_OF_ORDER,

    // ---- the event against the serving model ----
    /** A token id outside the model's vocabulary. */
    BAD_TOKEN,
    /** Text sent to a feature model, or a feature vector to a token model. */
    WRONG_INPUT,
    /** A frame of another height x width x channels than the model reads. */
    WRONG_SHAPE,
    /** An end marker without input for a key with no open sequence. */
    NO_OPEN_SEQUENCE,
    /** The model threw, or output NaN/Inf, on this record alone (it never stops the stream). */
    MODEL_ERROR,

    // ---- model updates ----
    /** The weights' SHA-256 differs from the one the update carries. */
    CHECKSUM,
    /** The update announces another architecture than its checkpoint carries. */
    ARCHITECTURE_MISMATCH,
    /** A valid model this job cannot serve (another input kind, an output mode it lacks). */
    INCOMPATIBLE,
    /** Loading or validating the update failed in a way no specific check names. */
    INVALID_MODEL,
    /** The candidate threw or output NaN/Inf on the canary batch of synthetic input run before a swap. */
    CANARY_FAILED,
    /** A swapped-in model failed on live input: the previous model serves again. */
    FAILED_IN_SERVICE,
    /** Updates must be signed (a trusted key is configured) and this one carries no signature. */
    UNSIGNED,
    /** The update's signature does not verify under the trusted key. */
    BAD_SIGNATURE,
    /** A model update field over its limit (model id, architecture, checksum, signature, metric count or name). */
    UPDATE_FIELD_TOO_LARGE,
    /** A model version outside 0 to 2^53 - 1 (one near Long.MAX_VALUE would leave no room for later versions). */
    BAD_VERSION,
    /** A model trained online scored below the serving one on the held-out slice (minus the margin): not published. */
    CANDIDATE_REJECTED,
    /** Another training job published a version of the model id this one trains: this one stopped publishing. */
    OWNER_CONFLICT,
    CHECKPOINT_BAD_MAGIC,
    CHECKPOINT_UNSUPPORTED_VERSION,
    CHECKPOINT_TRUNCATED,
    CHECKPOINT_TRAILING_DATA,
    CHECKPOINT_CHECKSUM_MISMATCH,
    CHECKPOINT_SHAPE_MISMATCH,
    CHECKPOINT_NON_FINITE_WEIGHTS,
    CHECKPOINT_HEADER_TOO_LARGE,
    CHECKPOINT_TOO_LARGE,
    CHECKPOINT_MALFORMED_HEADER;

    /** The reason of a checkpoint that the checkpoint format refused. */
    public static RejectReason of(CheckpointException.Reason r) {
        return switch (r) {
            case BAD_MAGIC -> CHECKPOINT_BAD_MAGIC;
            case UNSUPPORTED_VERSION -> CHECKPOINT_UNSUPPORTED_VERSION;
            case TRUNCATED -> CHECKPOINT_TRUNCATED;
            case TRAILING_DATA -> CHECKPOINT_TRAILING_DATA;
            case CHECKSUM_MISMATCH -> CHECKPOINT_CHECKSUM_MISMATCH;
            case SHAPE_MISMATCH -> CHECKPOINT_SHAPE_MISMATCH;
            case NON_FINITE_WEIGHTS -> CHECKPOINT_NON_FINITE_WEIGHTS;
            case HEADER_TOO_LARGE -> CHECKPOINT_HEADER_TOO_LARGE;
            case TOO_LARGE -> CHECKPOINT_TOO_LARGE;
            case MALFORMED_HEADER -> CHECKPOINT_MALFORMED_HEADER;
        };
    }
}
