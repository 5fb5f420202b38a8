package io.streamnet.serving.model;

import io.streamnet.schemas.ModelUpdate;
import java.io.ByteArrayOutputStream;
import java.util.Map;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;

/**
 * Unsigned model updates whose metrics map holds many distinct tiny entries (14 bytes each on the
 * wire, ~10x that once decoded): the record the header walk must refuse before anything is built.
 * Written field by field: building it through the generated record would hold the whole map first.
 */
public final class MetricsBombs {
    /** Wire bytes of one entry: a 5-character name (1 + 5) and a double (8). */
    public static final int ENTRY_BYTES = 14;

    private MetricsBombs() {
    }

    /** An update of {@code checkpoint} as {@code modelId} v{@code version} with {@code entries} metrics. */
    public static byte[] update(String modelId, long version, byte[] checkpoint, int entries) throws Exception {
        ModelUpdate u = ModelUpdates.toUpdate(modelId, version, checkpoint, Map.of());
        ByteArrayOutputStream out = new ByteArrayOutputStream(entries * ENTRY_BYTES + checkpoint.length + 4096);
        BinaryEncoder e = EncoderFactory.get().binaryEncoder(out, null);
        e.writeString(modelId);
        e.writeLong(version);
        e.writeString(u.getArchitecture().toString());
        e.writeBytes(checkpoint);
        e.writeString(u.getChecksum().toString());
        e.writeMapStart();
        e.setItemCount(entries);
        for (int i = 0; i < entries; i++) {
            e.startItem();
            e.writeString(String.format("%5s", Integer.toString(i, 36))); // distinct names of one length
            e.writeDouble(i);
        }
        e.writeMapEnd();
        e.writeLong(u.getCreatedAt().toEpochMilli());
        e.writeIndex(0); // no signature
        e.flush();
        return out.toByteArray();
    }

    /** As above, with as many entries as fit in {@code size} bytes (less room for the other fields). */
    public static byte[] filling(String modelId, long version, byte[] checkpoint, int size) throws Exception {
        String architecture = ModelUpdates.toUpdate(modelId, version, checkpoint, Map.of()).getArchitecture().toString();
        return update(modelId, version, checkpoint, (size - checkpoint.length - architecture.length() - 256) / ENTRY_BYTES);
    }
}
