package io.streamnet.serving.wire;

import io.streamnet.serving.reject.RejectReason;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecord;

/**
 * Plain Avro binary of a generated class (no registry framing). A decode must consume every byte:
 * data of another schema often "decodes" into garbage and leaves bytes over, and that is refused.
 *
 * <p>Avro allocates what a record declares: a 10-byte record can claim a string, bytes or an array
 * of billions of items, and the reader sizes its buffer before it finds the bytes missing. So every
 * record is first walked with Avro's own {@code skip}, which reads the declared lengths and skips
 * the bytes they cover without allocating: a declaration the record's bytes cannot hold runs out
 * of input there, and the record is refused before anything is built.
 */
public final class AvroBinaryCodec<T extends SpecificRecord> implements RecordCodec<T> {
    private final Schema schema;
    private final int maxBytes;
    private final SpecificDatumWriter<T> writer;
    private final SpecificDatumReader<T> reader;

    public AvroBinaryCodec(Schema schema, int maxBytes) {
        this.schema = schema;
        this.maxBytes = maxBytes;
        this.writer = new SpecificDatumWriter<>(schema);
        this.reader = new SpecificDatumReader<>(schema);
    }

    @Override
    public WireFormat format() {
        return WireFormat.AVRO;
    }

    @Override
    public byte[] encode(T record) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(128);
        BinaryEncoder enc = EncoderFactory.get().binaryEncoder(out, null);
        try {
            writer.write(record, enc);
            enc.flush();
        } catch (IOException e) {
            throw new IllegalStateException("in-memory Avro encoding failed", e);
        }
        return out.toByteArray();
    }

    @Override
    public T decode(byte[] bytes) {
        Limits.check(bytes, maxBytes, schema.getName());
        try {
            GenericDatumReader.skip(schema, DecoderFactory.get().binaryDecoder(bytes, null));
        } catch (IOException | RuntimeException e) {
            throw new DecodeException(RejectReason.UNDECODABLE, "not Avro binary of " + schema.getName()
                    + " (its declared lengths do not fit its " + bytes.length + " bytes): " + e, bytes, e);
        }
        BinaryDecoder dec = DecoderFactory.get().binaryDecoder(bytes, null);
        T value;
        try {
            value = reader.read(null, dec);
        } catch (IOException | RuntimeException e) {
            throw new DecodeException(RejectReason.UNDECODABLE, "not Avro binary of " + schema.getName()
                    + ": " + e, bytes, e);
        }
        try {
            if (!dec.isEnd()) {
                throw new DecodeException(RejectReason.TRAILING_BYTES, "bytes left after a "
                        + schema.getName() + ": the data was written with another schema", bytes, null);
            }
        } catch (IOException e) {
            throw new DecodeException(RejectReason.UNDECODABLE, e.toString(), bytes, e);
        }
        return value;
    }
}
