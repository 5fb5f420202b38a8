package io.streamnet.serving.model;

import java.nio.charset.StandardCharsets;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The served model as a runtime keeps it, so that a restart serves what it served: Flink's
 * broadcast state and the Kafka Streams serving store hold the same four named entries (the
 * checkpoint bytes, the id and the decimal version in UTF-8, the signature of the update that made
 * it, empty when none). The names and the bytes are part of savepoints and changelogs: keep them.
 *
 * @param signature null or empty: unsigned (state written before signatures were kept has none)
 */
public record ServedModelRecord(byte[] checkpoint, String modelId, long version, byte[] signature) {
    private static final Logger LOG = LoggerFactory.getLogger(ServedModelRecord.class);
    public static final String CHECKPOINT = "checkpoint";
    public static final String ID = "id";
    public static final String VERSION = "version";
    public static final String SIGNATURE = "signature";
    /** A long in decimal: at most 20 characters. */
    private static final int MAX_VERSION_BYTES = 20;

    /** Where the entries are read from (a runtime's state). */
    @FunctionalInterface
    public interface Entries<X extends Exception> {
        /** The entry's bytes, or null when absent. */
        byte[] get(String name) throws X;
    }

    /** Where the entries are written to. */
    @FunctionalInterface
    public interface Sink<X extends Exception> {
        void put(String name, byte[] value) throws X;
    }

    /** The record of {@code m}, made by an update signed with {@code signature} (null: unsigned). */
    public static ServedModelRecord of(ServedModel<?> m, byte[] signature) {
        return new ServedModelRecord(m.checkpoint(), m.modelId(), m.version(), signature);
    }

    public <X extends Exception> void writeTo(Sink<X> out) throws X {
        out.put(CHECKPOINT, checkpoint);
        out.put(ID, modelId.getBytes(StandardCharsets.UTF_8));
        out.put(VERSION, Long.toString(version).getBytes(StandardCharsets.UTF_8));
        out.put(SIGNATURE, signature == null ? new byte[0] : signature);
    }

    /**
     * The stored record, or null when none was stored. Id, version and signature are bounded as an
     * update's are ({@link UpdateHeader}): nothing larger is decoded.
     *
     * @throws IllegalArgumentException when the id or the version is missing, over its bound or unreadable
     */
    public static <X extends Exception> ServedModelRecord readFrom(Entries<X> in) throws X {
        byte[] checkpoint = in.get(CHECKPOINT);
        if (checkpoint == null) {
            return null;
        }
        String id = text(in.get(ID), ID, UpdateHeader.MAX_MODEL_ID_BYTES);
        long version = Long.parseLong(text(in.get(VERSION), VERSION, MAX_VERSION_BYTES));
        byte[] signature = in.get(SIGNATURE);
        if (signature != null && signature.length > UpdateHeader.MAX_SIGNATURE_BYTES) {
            throw new IllegalArgumentException("the stored signature has " + signature.length + " bytes, at most "
                    + UpdateHeader.MAX_SIGNATURE_BYTES);
        }
        return new ServedModelRecord(checkpoint, id, version, signature);
    }

    /**
     * The model {@code slot} serves again from what a runtime stored ({@link ModelSlot#restore}), or
     * null: nothing stored, a record that does not read (logged), or one the slot does not trust now.
     * Never throws for what is stored, so a bad record cannot fail every restart.
     */
    public static <M extends ServedModel<M>, X extends Exception> M restore(ModelSlot<M> slot, Entries<X> in)
            throws X {
        ServedModelRecord r;
        try {
            r = readFrom(in);
        } catch (IllegalArgumentException e) {
            LOG.error("the served model kept in state does not read ({}); serving the model the job was started with"
                    + " instead", e.getMessage());
            return null;
        }
        return r == null ? null : slot.restore(r.checkpoint, r.modelId, r.version, r.signature);
    }

    private static String text(byte[] b, String name, int maxBytes) {
        if (b == null || b.length > maxBytes) {
            throw new IllegalArgumentException("the stored " + name + (b == null ? " is missing" : " has " + b.length
                    + " bytes, at most " + maxBytes));
        }
        return new String(b, StandardCharsets.UTF_8);
    }
}
