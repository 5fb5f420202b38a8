package io.streamnet.serving.model;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.streamnet.engine.backend.Backend;
import io.streamnet.engine.checkpoint.Checkpoint;
import io.streamnet.engine.checkpoint.CheckpointException;
import io.streamnet.engine.checkpoint.Checkpoints;
import io.streamnet.schemas.ModelUpdate;
import io.streamnet.serving.reject.RejectReason;
import io.streamnet.serving.wire.Codecs;
import io.streamnet.serving.wire.DecodeException;
import io.streamnet.serving.wire.RecordCodec;
import io.streamnet.serving.wire.WireFormat;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.specific.SpecificDatumReader;

/**
 * {@link ModelUpdate} records: made from checkpoint bytes (for publishers), and turned back into a
 * served model only after every check passes — size, the update's own SHA-256, the
 * checkpoint format's checks, and that the architecture it announces is the one it carries.
 */
public final class ModelUpdates {
    /** Upper bound of one update record; Kafka's default message limit is 1 MiB, raise both together. */
    public static final int DEFAULT_MAX_BYTES = 64 << 20;

    private ModelUpdates() {
    }

    /**
     * An update of a checkpoint, within the limits every reader applies ({@link UpdateHeader}).
     *
     * @throws IllegalArgumentException an id, version or metric count readers would refuse
     */
    public static ModelUpdate toUpdate(String modelId, long version, byte[] checkpoint, Map<String, Double> metrics)
            throws CheckpointException {
        UpdateHeader.checkPublishable(modelId, version, metrics.size());
        String architecture = Checkpoints.fromBytes(checkpoint).architecture().toString();
        return ModelUpdate.newBuilder().setModelId(modelId).setVersion(version).setArchitecture(architecture)
                .setWeights(ByteBuffer.wrap(checkpoint)).setChecksum(sha256(checkpoint))
                .setMetrics(Map.copyOf(metrics)).setCreatedAt(Instant.now()).build();
    }

    /**
     * The Kafka key of an update: its id and version. The topic is never compacted by model id, so
     * no later record (an older version re-published, a tombstone for the id) can remove the newest
     * version; readers take the highest version they can verify, whatever the keys say.
     */
    public static String key(String modelId, long version) {
        return modelId + "@" + version;
    }

    /**
     * The Avro codec of updates; its decode reads the header first ({@link UpdateHeader}), so every
     * field is within its limit before anything is built, whoever decodes.
     */
    public static RecordCodec<ModelUpdate> codec(int maxBytes) {
        RecordCodec<ModelUpdate> avro = Codecs.of(ModelUpdate.class, WireFormat.AVRO, maxBytes);
        return new RecordCodec<>() {
            @Override
            public WireFormat format() {
                return WireFormat.AVRO;
            }

            @Override
            public byte[] encode(ModelUpdate u) {
                return avro.encode(u);
            }

            @Override
            public ModelUpdate decode(byte[] raw) {
                try {
                    UpdateHeader.read(raw, maxBytes);
                } catch (ModelRejected e) {
                    throw new DecodeException(e.reason(), e.getMessage(), raw, e);
                }
                return avro.decode(raw);
            }
        };
    }

    /** Decodes and validates an update's bytes (Avro binary). */
    public static ServedSequenceModel validate(Backend backend, byte[] raw, int maxBytes) throws ModelRejected {
        return validate(backend, decode(raw, maxBytes));
    }

    public static ServedSequenceModel validate(Backend backend, ModelUpdate u) throws ModelRejected {
        return validate(u, (weights, parsed) -> ServedSequenceModel.load(backend, weights, parsed, u.getModelId(), u.getVersion()));
    }

    /** As {@link #validate(Backend, ModelUpdate)}, for a frame model (a CNN, optionally with its smoother). */
    public static ServedFrameModel validateFrames(Backend backend, ModelUpdate u) throws ModelRejected {
        return validate(u, (weights, parsed) -> ServedFrameModel.load(backend, weights, parsed, u.getModelId(), u.getVersion()));
    }

    /** Turns verified checkpoint bytes (and their parse) into a model, or refuses them. */
    @FunctionalInterface
    public interface Loader<M> {
        M load(byte[] weights, Checkpoint parsed) throws CheckpointException;
    }

    /**
     * The checks every update passes whatever it carries: the weights' SHA-256 against the update's,
     * the checkpoint format (parsed once), the loader's own checks, and that the architecture the
     * update announces is the one its checkpoint carries.
     */
    public static <M> M validate(ModelUpdate u, Loader<M> loader) throws ModelRejected {
        byte[] weights = new byte[u.getWeights().remaining()];
        u.getWeights().duplicate().get(weights);
        String sum = sha256(weights);
        if (!sum.equalsIgnoreCase(u.getChecksum())) {
            throw new ModelRejected(RejectReason.CHECKSUM, "model " + u.getModelId() + " v" + u.getVersion()
                    + ": weights hash to " + sum + ", the update says " + u.getChecksum(), null);
        }
        M m;
        String carried;
        try {
            Checkpoint parsed = Checkpoints.fromBytes(weights);
            carried = parsed.architecture().toString();
            m = loader.load(weights, parsed);
        } catch (CheckpointException e) {
            throw new ModelRejected(RejectReason.of(e.reason()), "model " + u.getModelId() + " v"
                    + u.getVersion() + " rejected: " + e.getMessage(), e);
        }
        if (!sameJson(carried, u.getArchitecture())) {
            throw new ModelRejected(RejectReason.ARCHITECTURE_MISMATCH, "model " + u.getModelId() + " v" + u.getVersion()
                    + " announces an architecture other than the one its checkpoint carries", null);
        }
        return m;
    }

    /**
     * Decodes an update's bytes (Avro binary) or refuses them with the reason: every field is checked
     * against its limit on the raw bytes first ({@link UpdateHeader}), so what is built is bounded.
     * Updates written before the {@code signature} field existed decode too (as unsigned).
     */
    public static ModelUpdate decode(byte[] raw, int maxBytes) throws ModelRejected {
        return decode(raw, UpdateHeader.read(raw, maxBytes));
    }

    /** Decodes bytes whose header {@code h} was read from them (every field within its limit). */
    public static ModelUpdate decode(byte[] raw, UpdateHeader h) throws ModelRejected {
        try {
            return h.firstRelease() ? decodeUnsignedV1(raw)
                    : Codecs.of(ModelUpdate.class, WireFormat.AVRO, raw.length).decode(raw);
        } catch (DecodeException e) {
            throw new ModelRejected(e.reason(), "model update does not decode: " + e.getMessage(), e);
        } catch (IOException | RuntimeException e) {
            throw new ModelRejected(RejectReason.UNDECODABLE, "model update does not decode: " + e, e);
        }
    }

    /** The schema of the first release: every field up to {@code createdAt}, no signature. */
    private static final Schema V1 = withoutField(ModelUpdate.getClassSchema(), "signature");

    private static Schema withoutField(Schema s, String name) {
        List<Schema.Field> fields = new ArrayList<>();
        for (Schema.Field f : s.getFields()) {
            if (!f.name().equals(name)) {
                fields.add(new Schema.Field(f, f.schema()));
            }
        }
        return Schema.createRecord(s.getName(), s.getDoc(), s.getNamespace(), false, fields);
    }

    // The header walk bounded every field; Avro's own walk of the declared lengths runs first, as in the codec.
    private static ModelUpdate decodeUnsignedV1(byte[] raw) throws IOException {
        GenericDatumReader.skip(V1, DecoderFactory.get().binaryDecoder(raw, null));
        BinaryDecoder dec = DecoderFactory.get().binaryDecoder(raw, null);
        ModelUpdate u = new SpecificDatumReader<ModelUpdate>(V1, ModelUpdate.getClassSchema()).read(null, dec);
        if (!dec.isEnd()) {
            throw new IOException("bytes left after a first-release ModelUpdate");
        }
        return u;
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    private static boolean sameJson(String a, String b) {
        try {
            return JSON.readTree(a).equals(JSON.readTree(b));
        } catch (IOException e) {
            return false;
        }
    }

    public static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }
}
