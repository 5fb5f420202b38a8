package io.streamnet.interop.safetensors;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The safetensors format (what PyTorch's {@code safetensors.torch.save_file} writes): an 8-byte
 * little-endian header length N, N bytes of UTF-8 JSON mapping each tensor name to its dtype,
 * shape and [begin, end) byte offsets into the data that follows, and an optional
 * {@code __metadata__} object of strings. Reading checks every limit before the allocation it
 * guards (file size, header size, element count), and that the offsets tile the data exactly
 * (in range, sized for the dtype and shape, no overlap, no hole), as the format requires.
 */
public final class SafeTensors {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String METADATA = "__metadata__";

    private SafeTensors() {
    }

    /** One tensor, converted to float32, row-major as stored. */
    public record Tensor(DType dtype, int[] shape, float[] values) {
        public long size() {
            long n = 1;
            for (int d : shape) {
                n *= d;
            }
            return n;
        }

        public String shapeString() {
            return Arrays.toString(shape);
        }
    }

    /** A file's tensors, in header order, and its metadata. */
    public record Contents(Map<String, Tensor> tensors, Map<String, String> metadata) {
    }

    /** How much a file may hold; checked before reading what each limit guards. */
    public record Limits(long maxFileBytes, int maxHeaderBytes, long maxElements) {
        /** 2 GiB of file, a 16 MiB header, 256M elements (1 GiB as float32). */
        public static final Limits DEFAULTS = new Limits(2L << 30, 16 << 20, 256L << 20);
    }

    public static Contents read(Path file, Limits limits) throws IOException, SafeTensorsException {
        long size = Files.size(file);
        if (size > limits.maxFileBytes()) {
            throw new SafeTensorsException(file + " is " + size + " bytes, over the limit of " + limits.maxFileBytes());
        }
        if (size < 8) {
            throw new SafeTensorsException(file + " is " + size + " bytes: too short for a safetensors header");
        }
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            readFully(ch, len, 0);
            long headerBytes = len.getLong(0);
            if (headerBytes < 2 || headerBytes > limits.maxHeaderBytes() || headerBytes > size - 8) {
                throw new SafeTensorsException("header length " + headerBytes + " is impossible for a file of " + size
                        + " bytes (limit " + limits.maxHeaderBytes() + ")");
            }
            ByteBuffer header = ByteBuffer.allocate((int) headerBytes);
            readFully(ch, header, 8);
            long dataStart = 8 + headerBytes;
            Header h = parseHeader(new String(header.array(), StandardCharsets.UTF_8), size - dataStart, limits);
            Map<String, Tensor> tensors = new LinkedHashMap<>();
            for (Slot s : h.slots()) {
                ByteBuffer raw = ByteBuffer.allocate((int) (s.end - s.begin));
                readFully(ch, raw, dataStart + s.begin);
                float[] v = new float[Math.toIntExact(s.elements)];
                for (int i = 0; i < v.length; i++) {
                    v[i] = s.dtype.read(raw.array(), 0, i);
                }
                tensors.put(s.name, new Tensor(s.dtype, s.shape, v));
            }
            return new Contents(Collections.unmodifiableMap(tensors), h.metadata());
        }
    }

    private record Header(List<Slot> slots, Map<String, String> metadata) {
    }

    private record Slot(String name, DType dtype, int[] shape, long elements, long begin, long end) {
    }

    private static Header parseHeader(String text, long dataBytes, Limits limits) throws SafeTensorsException {
        JsonNode root;
        try {
            root = JSON.readTree(text.strip());
        } catch (JsonProcessingException e) {
            throw new SafeTensorsException("header is not JSON: " + e.getOriginalMessage());
        }
        if (root == null || !root.isObject()) {
            throw new SafeTensorsException("header is not a JSON object");
        }
        List<Slot> slots = new ArrayList<>();
        Map<String, String> meta = new LinkedHashMap<>();
        long total = 0;
        for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            String name = e.getKey();
            JsonNode n = e.getValue();
            if (name.equals(METADATA)) {
                if (!n.isObject()) {
                    throw new SafeTensorsException(METADATA + " must be an object of strings");
                }
                for (Iterator<Map.Entry<String, JsonNode>> m = n.fields(); m.hasNext(); ) {
                    Map.Entry<String, JsonNode> kv = m.next();
                    if (!kv.getValue().isTextual()) {
                        throw new SafeTensorsException(METADATA + "." + kv.getKey() + " is not a string");
                    }
                    meta.put(kv.getKey(), kv.getValue().asText());
                }
                continue;
            }
            DType dtype = DType.parse(n.path("dtype").asText("(none)"), name);
            JsonNode shapeNode = n.path("shape");
            JsonNode offsets = n.path("data_offsets");
            if (!shapeNode.isArray() || !offsets.isArray() || offsets.size() != 2) {
                throw new SafeTensorsException("tensor '" + name + "' needs a shape array and data_offsets [begin, end]");
            }
            int[] shape = new int[shapeNode.size()];
            long elements = 1;
            for (int i = 0; i < shape.length; i++) {
                JsonNode d = shapeNode.get(i);
                if (!d.canConvertToInt() || d.asInt() < 0) {
                    throw new SafeTensorsException("tensor '" + name + "' has a bad dimension " + d);
                }
                shape[i] = d.asInt();
                elements = Math.multiplyExact(elements, shape[i]);
                if (elements > limits.maxElements()) {
                    throw new SafeTensorsException("tensor '" + name + "' " + Arrays.toString(shape)
                            + " is over the limit of " + limits.maxElements() + " elements");
                }
            }
            total += elements;
            if (total > limits.maxElements()) {
                throw new SafeTensorsException("the file holds over " + limits.maxElements() + " elements");
            }
            long begin = offsets.get(0).asLong(-1);
            long end = offsets.get(1).asLong(-1);
            if (begin < 0 || end < begin || end > dataBytes) {
                throw new SafeTensorsException("tensor '" + name + "' has offsets [" + begin + ", " + end
                        + ") outside the " + dataBytes + " data bytes");
            }
            if (end - begin != elements * dtype.bytes()) {
                throw new SafeTensorsException("tensor '" + name + "' " + dtype + Arrays.toString(shape) + " needs "
                        + elements * dtype.bytes() + " bytes but its offsets give " + (end - begin));
            }
            slots.add(new Slot(name, dtype, shape, elements, begin, end));
        }
        List<Slot> byOffset = new ArrayList<>(slots);
        byOffset.sort((a, b) -> Long.compare(a.begin, b.begin));
        long at = 0;
        for (Slot s : byOffset) {
            if (s.begin != at) {
                throw new SafeTensorsException("tensor '" + s.name + "' starts at byte " + s.begin + " where " + at
                        + " was expected: the data has a " + (s.begin < at ? "overlap" : "hole"));
            }
            at = s.end;
        }
        if (at != dataBytes) {
            throw new SafeTensorsException("the tensors cover " + at + " of " + dataBytes + " data bytes");
        }
        return new Header(slots, Collections.unmodifiableMap(meta));
    }

    private static void readFully(FileChannel ch, ByteBuffer buf, long position) throws IOException,
            SafeTensorsException {
        long p = position;
        while (buf.hasRemaining()) {
            int n = ch.read(buf, p);
            if (n < 0) {
                throw new SafeTensorsException("file ends at byte " + p + " inside a tensor");
            }
            p += n;
        }
    }

    /**
     * Writes {@code tensors} (float32, in map order) and {@code metadata} as a safetensors file that
     * PyTorch's {@code safetensors.torch.load_file} reads; the header is padded with spaces to a
     * multiple of 8 bytes so that the data is aligned.
     */
    public static void write(Path file, Map<String, Tensor> tensors, Map<String, String> metadata) throws IOException {
        ObjectNode header = JSON.createObjectNode();
        if (!metadata.isEmpty()) {
            ObjectNode m = header.putObject(METADATA);
            metadata.forEach(m::put);
        }
        long at = 0;
        for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
            Tensor t = e.getValue();
            if (t.values().length != t.size()) {
                throw new IllegalArgumentException("tensor '" + e.getKey() + "' " + t.shapeString() + " holds "
                        + t.values().length + " values");
            }
            ObjectNode n = header.putObject(e.getKey());
            n.put("dtype", DType.F32.name());
            var shape = n.putArray("shape");
            for (int d : t.shape()) {
                shape.add(d);
            }
            var off = n.putArray("data_offsets");
            off.add(at);
            at += 4L * t.values().length;
            off.add(at);
        }
        byte[] json = JSON.writeValueAsBytes(header);
        int padded = (json.length + 7) / 8 * 8;
        byte[] head = Arrays.copyOf(json, padded);
        Arrays.fill(head, json.length, padded, (byte) ' ');
        try (OutputStream out = new java.io.BufferedOutputStream(Files.newOutputStream(file))) {
            ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(0, padded);
            out.write(len.array());
            out.write(head);
            ByteBuffer b = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN);
            for (Tensor t : tensors.values()) {
                for (float v : t.values()) {
                    out.write(b.putFloat(0, v).array());
                }
            }
        }
    }
}
