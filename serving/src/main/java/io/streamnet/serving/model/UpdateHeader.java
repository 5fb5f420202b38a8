package io.streamnet.serving.model;

import io.streamnet.engine.checkpoint.CheckpointLimits;
import io.streamnet.serving.reject.RejectReason;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.ByteBuffer;

/**
 * What a {@link io.streamnet.schemas.ModelUpdate} record says of itself, read from its raw Avro
 * bytes without building the record: the signed fields (model id, version, checksum) and the
 * signature. Reading it walks every field of the record and checks each against its limit, so a
 * record that passes can be decoded in full at a bounded cost (its weights and at most
 * {@link #MAX_METRICS} small metrics), and one that does not is refused before anything is
 * allocated for it. The signature can then be checked before the record is decoded at all.
 *
 * @param firstRelease the record was written with the first release's schema (no signature field)
 */
public record UpdateHeader(String modelId, long version, String checksum, byte[] signature, boolean firstRelease) {
    /** Longest model id, in UTF-8 bytes (it names Kafka keys, metrics and state). */
    public static final int MAX_MODEL_ID_BYTES = 256;
    /** Versions are below 2^53: exact as a double (metrics, JSON) and far from overflowing a long. */
    public static final long MAX_VERSION = (1L << 53) - 1;
    /** The architecture JSON is the checkpoint header's: no larger than a checkpoint header may be. */
    public static final int MAX_ARCHITECTURE_BYTES = CheckpointLimits.DEFAULT.maxHeaderBytes();
    /** A SHA-256 in hex is 64 characters; a little room for other spellings, none for a payload. */
    public static final int MAX_CHECKSUM_BYTES = 128;
    /** Metrics describe a version (accuracy, loss, held-out score): a handful, never a payload. */
    public static final int MAX_METRICS = 64;
    public static final int MAX_METRIC_NAME_BYTES = 128;
    /** An Ed25519 signature is 64 bytes. */
    public static final int MAX_SIGNATURE_BYTES = 128;

    /**
     * Walks {@code raw} (an update in Avro binary, current or first-release schema) and returns its
     * header.
     *
     * @throws ModelRejected EMPTY, OVERSIZED, UNDECODABLE, TRAILING_BYTES, UPDATE_FIELD_TOO_LARGE or BAD_VERSION
     */
    public static UpdateHeader read(byte[] raw, int maxBytes) throws ModelRejected {
        if (raw == null || raw.length == 0) {
            throw new ModelRejected(RejectReason.EMPTY, "empty value where a model update was expected", null);
        }
        if (raw.length > maxBytes) {
            throw new ModelRejected(RejectReason.OVERSIZED, "model update of " + raw.length
                    + " bytes exceeds the limit of " + maxBytes, null);
        }
        Walk w = new Walk(raw);
        String id = w.text("model id", MAX_MODEL_ID_BYTES);
        long version = w.varLong("version");
        w.skipBytes("architecture", MAX_ARCHITECTURE_BYTES);
        w.skipBytes("weights", Integer.MAX_VALUE);
        String checksum = w.text("checksum", MAX_CHECKSUM_BYTES);
        w.skipMetrics();
        w.varLong("createdAt");
        byte[] signature = null;
        boolean first = w.atEnd();
        if (!first) {
            long branch = w.varLong("signature");
            if (branch == 1) {
                int n = w.length("signature", MAX_SIGNATURE_BYTES);
                signature = w.take(n);
            } else if (branch != 0) {
                throw w.undecodable("signature union branch " + branch);
            }
            if (!w.atEnd()) {
                throw new ModelRejected(RejectReason.TRAILING_BYTES, (raw.length - w.pos)
                        + " bytes left after a ModelUpdate: the data was written with another schema", null);
            }
        }
        if (version < 0 || version > MAX_VERSION) {
            throw new ModelRejected(RejectReason.BAD_VERSION, "model " + id + " v" + version + ": versions are 0 to "
                    + MAX_VERSION + ", so that later versions always remain", null);
        }
        return new UpdateHeader(id, version, checksum, signature, first);
    }

    /** Checks what a publisher is about to write against the limits {@link #read} applies. */
    static void checkPublishable(String modelId, long version, int metrics) {
        if (modelId.getBytes(StandardCharsets.UTF_8).length > MAX_MODEL_ID_BYTES || modelId.isEmpty()) {
            throw new IllegalArgumentException("a model id is 1 to " + MAX_MODEL_ID_BYTES + " UTF-8 bytes: " + modelId);
        }
        if (version < 0 || version > MAX_VERSION) {
            throw new IllegalArgumentException("a model version is 0 to " + MAX_VERSION + ", got " + version);
        }
        if (metrics > MAX_METRICS) {
            throw new IllegalArgumentException("an update carries at most " + MAX_METRICS + " metrics, got " + metrics);
        }
    }

    /** A cursor over Avro binary that allocates only the small strings it is asked for. */
    private static final class Walk {
        private final byte[] b;
        private int pos;

        Walk(byte[] b) {
            this.b = b;
        }

        boolean atEnd() {
            return pos == b.length;
        }

        ModelRejected undecodable(String what) {
            return new ModelRejected(RejectReason.UNDECODABLE, "not Avro binary of a ModelUpdate: " + what
                    + " at byte " + pos + " of " + b.length, null);
        }

        long varLong(String field) throws ModelRejected {
            long n = 0;
            for (int shift = 0; shift < 64; shift += 7) {
                if (pos >= b.length) {
                    throw undecodable(field + " runs past the end");
                }
                int x = b[pos++] & 0xff;
                n |= (long) (x & 0x7f) << shift;
                if ((x & 0x80) == 0) {
                    return (n >>> 1) ^ -(n & 1);
                }
            }
            throw undecodable(field + " is not a variable-length long");
        }

        /** A declared length: non-negative, within {@code limit} and within the bytes left. */
        int length(String field, int limit) throws ModelRejected {
            long n = varLong(field);
            if (n < 0) {
                throw undecodable(field + " declares a negative length " + n);
            }
            if (n > limit) {
                throw new ModelRejected(RejectReason.UPDATE_FIELD_TOO_LARGE, "model update " + field + " of " + n
                        + " bytes exceeds the limit of " + limit, null);
            }
            if (n > b.length - pos) {
                throw undecodable(field + " declares " + n + " bytes, " + (b.length - pos) + " remain");
            }
            return (int) n;
        }

        void skipBytes(String field, int limit) throws ModelRejected {
            int n = length(field, limit); // moves pos past the length first
            pos += n;
        }

        byte[] take(int n) {
            byte[] out = new byte[n];
            System.arraycopy(b, pos, out, 0, n);
            pos += n;
            return out;
        }

        String text(String field, int limit) throws ModelRejected {
            int n = length(field, limit);
            try {
                String s = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(b, pos, n)).toString();
                pos += n;
                return s;
            } catch (CharacterCodingException e) {
                throw undecodable(field + " is not UTF-8");
            }
        }

        /** The metrics map: Avro blocks of (name, double), at most MAX_METRICS entries in all. */
        void skipMetrics() throws ModelRejected {
            long entries = 0;
            while (true) {
                long count = varLong("metrics block");
                if (count == 0) {
                    return;
                }
                if (count < 0) {
                    if (count == Long.MIN_VALUE) {
                        throw undecodable("metrics block count");
                    }
                    count = -count;
                    varLong("metrics block size"); // the block's byte size: walked entry by entry anyway
                }
                entries += count;
                if (entries > MAX_METRICS) {
                    throw new ModelRejected(RejectReason.UPDATE_FIELD_TOO_LARGE, "model update metrics declare "
                            + entries + "+ entries, more than the limit of " + MAX_METRICS, null);
                }
                for (long i = 0; i < count; i++) {
                    skipBytes("metric name", MAX_METRIC_NAME_BYTES);
                    if (b.length - pos < Double.BYTES) {
                        throw undecodable("metric value runs past the end");
                    }
                    pos += Double.BYTES;
                }
            }
        }
    }
}
