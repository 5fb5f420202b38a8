package io.streamnet.serving.wire;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.streamnet.serving.reject.RejectReason;
import java.io.IOException;
import org.apache.avro.Schema;
import org.apache.avro.specific.SpecificRecord;

/** UTF-8 JSON of a generated class, in the hand-writable shape of {@link JsonAvroConverter}. */
public final class JsonCodec<T extends SpecificRecord> implements RecordCodec<T> {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private final Schema schema;
    private final int maxBytes;

    public JsonCodec(Schema schema, int maxBytes) {
        this.schema = schema;
        this.maxBytes = maxBytes;
    }

    @Override
    public WireFormat format() {
        return WireFormat.JSON;
    }

    @Override
    public byte[] encode(T record) {
        try {
            return MAPPER.writeValueAsBytes(JsonAvroConverter.toJson(record));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("JSON encoding of " + schema.getName() + " failed", e);
        }
    }

    @Override
    public T decode(byte[] bytes) {
        Limits.check(bytes, maxBytes, schema.getName());
        JsonNode node;
        try {
            node = MAPPER.readTree(bytes);
        } catch (JsonProcessingException e) {
            throw new DecodeException(RejectReason.MALFORMED_JSON, "not JSON: "
                    + e.getOriginalMessage(), bytes, e);
        } catch (IOException e) {
            throw new DecodeException(RejectReason.MALFORMED_JSON, "not JSON: " + e.getMessage(), bytes, e);
        }
        if (node == null || node.isMissingNode()) {
            throw new DecodeException(RejectReason.EMPTY, "no JSON value", bytes, null);
        }
        try {
            return JsonAvroConverter.toRecord(node, schema);
        } catch (DecodeException e) {
            // Re-raised with the raw bytes, which the converter does not see.
            throw new DecodeException(e.reason(), e.getMessage().substring(e.reason().name().length() + 2), bytes, e);
        }
    }
}
