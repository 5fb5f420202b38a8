package io.streamnet.serving.wire;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.streamnet.serving.reject.RejectReason;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.LogicalTypes;
import org.apache.avro.Schema;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecord;

/**
 * Plain JSON <-> generated Avro classes, driven by the schema, in the shape a person writes by hand:
 * {@code {"key":"c1","seq":0,"eventTime":1764000000000,"text":"great phone","endOfSequence":true}}.
 * Optional fields may be omitted or null; bytes are base64; timestamps are epoch milliseconds or
 * ISO-8601 strings; enums are their symbol. Unknown fields are ignored (newer producers).
 */
final class JsonAvroConverter {
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private JsonAvroConverter() {
    }

    @SuppressWarnings("unchecked")
    static <T extends SpecificRecord> T toRecord(JsonNode node, Schema schema) {
        return (T) record(node, schema, "");
    }

    private static Object record(JsonNode node, Schema schema, String path) {
        if (!node.isObject()) {
            throw wrongType(path.isEmpty() ? schema.getName() : path, "an object", node);
        }
        SpecificRecord rec = (SpecificRecord) SpecificData.get().newRecord(null, schema);
        for (Schema.Field f : schema.getFields()) {
            String p = path.isEmpty() ? f.name() : path + "." + f.name();
            JsonNode v = node.get(f.name());
            if (v == null || v.isNull()) {
                if (f.hasDefaultValue()) {
                    rec.put(f.pos(), SpecificData.get().deepCopy(f.schema(), SpecificData.get().getDefaultValue(f)));
                    continue;
                }
                if (v == null || !allowsNull(f.schema())) {
                    throw new DecodeException(RejectReason.MISSING_FIELD, "missing required field '" + p + "'",
                            null, null);
                }
            }
            rec.put(f.pos(), value(v, f.schema(), p));
        }
        return rec;
    }

    private static Object value(JsonNode v, Schema s, String path) {
        switch (s.getType()) {
            case UNION -> {
                if (v == null || v.isNull()) {
                    if (allowsNull(s)) {
                        return null;
                    }
                    throw wrongType(path, "a value", v);
                }
                for (Schema branch : s.getTypes()) {
                    if (branch.getType() != Schema.Type.NULL) {
                        return value(v, branch, path);
                    }
                }
                throw wrongType(path, "a value", v);
            }
            case RECORD -> {
                return record(v, s, path);
            }
            case STRING -> {
                if (!v.isTextual()) {
                    throw wrongType(path, "a string", v);
                }
                return v.asText();
            }
            case INT -> {
                if (!v.canConvertToInt() || !v.isIntegralNumber()) {
                    throw wrongType(path, "an int", v);
                }
                return v.intValue();
            }
            case LONG -> {
                if (s.getLogicalType() instanceof LogicalTypes.TimestampMillis) {
                    return timestamp(v, path);
                }
                if (!v.isIntegralNumber() || !v.canConvertToLong()) {
                    throw wrongType(path, "a long", v);
                }
                return v.longValue();
            }
            case FLOAT -> {
                if (!v.isNumber()) {
                    throw wrongType(path, "a number", v);
                }
                return v.floatValue();
            }
            case DOUBLE -> {
                if (!v.isNumber()) {
                    throw wrongType(path, "a number", v);
                }
                return v.doubleValue();
            }
            case BOOLEAN -> {
                if (!v.isBoolean()) {
                    throw wrongType(path, "true or false", v);
                }
                return v.booleanValue();
            }
            case BYTES -> {
                if (!v.isTextual()) {
                    throw wrongType(path, "a base64 string", v);
                }
                try {
                    return ByteBuffer.wrap(Base64.getDecoder().decode(v.asText()));
                } catch (IllegalArgumentException e) {
                    throw wrongType(path, "a base64 string", v);
                }
            }
            case ENUM -> {
                if (!v.isTextual() || !s.hasEnumSymbol(v.asText())) {
                    throw wrongType(path, "one of " + s.getEnumSymbols(), v);
                }
                return SpecificData.get().createEnum(v.asText(), s);
            }
            case ARRAY -> {
                if (!v.isArray()) {
                    throw wrongType(path, "an array", v);
                }
                List<Object> out = new ArrayList<>(v.size());
                for (int i = 0; i < v.size(); i++) {
                    out.add(value(v.get(i), s.getElementType(), path + "[" + i + "]"));
                }
                return out;
            }
            case MAP -> {
                if (!v.isObject()) {
                    throw wrongType(path, "an object", v);
                }
                Map<String, Object> out = new LinkedHashMap<>();
                v.fields().forEachRemaining(e -> out.put(e.getKey(), value(e.getValue(), s.getValueType(),
                        path + "." + e.getKey())));
                return out;
            }
            default -> throw new IllegalStateException("schema type " + s.getType() + " is not used by the contract");
        }
    }

    private static Instant timestamp(JsonNode v, String path) {
        if (v.isIntegralNumber() && v.canConvertToLong()) {
            return Instant.ofEpochMilli(v.longValue());
        }
        if (v.isTextual()) {
            try {
                return Instant.parse(v.asText());
            } catch (DateTimeParseException e) {
                throw wrongType(path, "epoch milliseconds or an ISO-8601 instant", v);
            }
        }
        throw wrongType(path, "epoch milliseconds or an ISO-8601 instant", v);
    }

    private static boolean allowsNull(Schema s) {
        return s.getType() == Schema.Type.NULL
                || (s.getType() == Schema.Type.UNION && s.getTypes().stream().anyMatch(b -> b.getType() == Schema.Type.NULL));
    }

    private static DecodeException wrongType(String path, String expected, JsonNode got) {
        return new DecodeException(RejectReason.WRONG_TYPE, "field '" + path + "' must be " + expected
                + " but is " + (got == null ? "missing" : got.getNodeType().name().toLowerCase()), null, null);
    }

    // ---- to JSON ----

    static ObjectNode toJson(SpecificRecord rec) {
        return (ObjectNode) json(rec, rec.getSchema());
    }

    private static JsonNode json(Object v, Schema s) {
        if (v == null) {
            return NODES.nullNode();
        }
        switch (s.getType()) {
            case UNION -> {
                for (Schema branch : s.getTypes()) {
                    if (branch.getType() != Schema.Type.NULL) {
                        return json(v, branch);
                    }
                }
                return NODES.nullNode();
            }
            case RECORD -> {
                SpecificRecord r = (SpecificRecord) v;
                ObjectNode n = NODES.objectNode();
                for (Schema.Field f : s.getFields()) {
                    n.set(f.name(), json(r.get(f.pos()), f.schema()));
                }
                return n;
            }
            case STRING, ENUM -> {
                return NODES.textNode(v.toString());
            }
            case INT -> {
                return NODES.numberNode(((Integer) v).intValue());
            }
            case LONG -> {
                return NODES.numberNode(v instanceof Instant i ? i.toEpochMilli() : ((Long) v).longValue());
            }
            case FLOAT -> {
                return NODES.numberNode(((Float) v).floatValue());
            }
            case DOUBLE -> {
                return NODES.numberNode(((Double) v).doubleValue());
            }
            case BOOLEAN -> {
                return NODES.booleanNode((Boolean) v);
            }
            case BYTES -> {
                ByteBuffer b = ((ByteBuffer) v).duplicate();
                byte[] raw = new byte[b.remaining()];
                b.get(raw);
                return NODES.textNode(Base64.getEncoder().encodeToString(raw));
            }
            case ARRAY -> {
                ArrayNode a = NODES.arrayNode();
                for (Object e : (List<?>) v) {
                    a.add(json(e, s.getElementType()));
                }
                return a;
            }
            case MAP -> {
                ObjectNode n = NODES.objectNode();
                ((Map<?, ?>) v).forEach((k, e) -> n.set(k.toString(), json(e, s.getValueType())));
                return n;
            }
            default -> throw new IllegalStateException("schema type " + s.getType() + " is not used by the contract");
        }
    }
}
