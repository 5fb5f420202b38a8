package io.streamnet.training;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32;

/**
 * The model owner's checkpointed state, as bytes: a magic and format number, the fields, and a
 * CRC-32 of all before it, so a truncated or corrupted state is refused before anything is read
 * into the model. Array lengths are bounded by what remains, so no length field can make it
 * allocate more than the bytes it was given.
 */
record OwnerState(String modelId, long version, float[][] weights, float[][] champion, float[][] parent,
                  long parentVersion, long optimizerSteps, float[][] optimizerState, GradientGate.History gate,
                  List<HeldOutSet.Example> heldOut, long heldOutAdded, int pending, int pendingWindows,
                  double pendingLoss, long oldestMs, long newestMs, long watchFrom, long rejected, long rolledBack) {
    private static final int MAGIC = 0x534e4f57; // "SNOW": streamnet owner
    private static final int FORMAT = 1;

    static byte[] write(OwnerState s) {
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            DataOutputStream out = new DataOutputStream(bytes);
            out.writeInt(MAGIC);
            out.writeInt(FORMAT);
            out.writeUTF(s.modelId);
            out.writeLong(s.version);
            floats2(out, s.weights);
            floats2(out, s.champion);
            out.writeBoolean(s.parent != null);
            if (s.parent != null) {
                floats2(out, s.parent);
            }
            out.writeLong(s.parentVersion);
            out.writeLong(s.optimizerSteps);
            floats2(out, s.optimizerState);
            doubles(out, s.gate.recent());
            out.writeInt(s.gate.seen());
            out.writeInt(s.gate.counts().length);
            for (long c : s.gate.counts()) {
                out.writeLong(c);
            }
            out.writeInt(s.heldOut.size());
            for (HeldOutSet.Example e : s.heldOut) {
                ints(out, e.tokens());
                ints(out, e.labels());
            }
            out.writeLong(s.heldOutAdded);
            out.writeInt(s.pending);
            out.writeInt(s.pendingWindows);
            out.writeDouble(s.pendingLoss);
            out.writeLong(s.oldestMs);
            out.writeLong(s.newestMs);
            out.writeLong(s.watchFrom);
            out.writeLong(s.rejected);
            out.writeLong(s.rolledBack);
            out.flush();
            CRC32 crc = new CRC32();
            crc.update(bytes.toByteArray());
            out.writeLong(crc.getValue());
            return bytes.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static OwnerState read(byte[] b) {
        if (b.length < 16) {
            throw new IllegalArgumentException("model owner state of " + b.length + " bytes is truncated");
        }
        CRC32 crc = new CRC32();
        crc.update(b, 0, b.length - 8);
        long stored = 0;
        for (int i = b.length - 8; i < b.length; i++) {
            stored = (stored << 8) | (b[i] & 0xff);
        }
        if (stored != crc.getValue()) {
            throw new IllegalArgumentException("model owner state fails its CRC-32: corrupted or truncated");
        }
        try {
            Reader in = new Reader(b, b.length - 8);
            if (in.readInt() != MAGIC || in.readInt() != FORMAT) {
                throw new IllegalArgumentException("not a model owner state of format " + FORMAT);
            }
            String id = in.readUTF();
            long version = in.readLong();
            float[][] weights = in.floats2();
            float[][] champion = in.floats2();
            float[][] parent = in.readBoolean() ? in.floats2() : null;
            long parentVersion = in.readLong();
            long steps = in.readLong();
            float[][] opt = in.floats2();
            double[] recent = in.doubles();
            int seen = in.readInt();
            long[] counts = new long[in.count(8)];
            for (int i = 0; i < counts.length; i++) {
                counts[i] = in.readLong();
            }
            int n = in.count(8);
            List<HeldOutSet.Example> held = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                held.add(new HeldOutSet.Example(in.ints(), in.ints()));
            }
            return new OwnerState(id, version, weights, champion, parent, parentVersion, steps, opt,
                    new GradientGate.History(recent, seen, counts), held, in.readLong(), in.readInt(), in.readInt(),
                    in.readDouble(), in.readLong(), in.readLong(), in.readLong(), in.readLong(), in.readLong());
        } catch (IOException e) {
            throw new IllegalArgumentException("model owner state is malformed: " + e.getMessage(), e);
        }
    }

    static void requireShapes(float[][] expected, float[][] got, String what) {
        if (got.length != expected.length) {
            throw new IllegalArgumentException("owner state's " + what + " hold " + got.length + " parameters, the model "
                    + expected.length);
        }
        for (int i = 0; i < got.length; i++) {
            if (got[i].length != expected[i].length) {
                throw new IllegalArgumentException("owner state's " + what + " " + i + " holds " + got[i].length
                        + " values, the model's parameter " + expected[i].length);
            }
        }
    }

    private static void floats2(DataOutputStream out, float[][] a) throws IOException {
        out.writeInt(a.length);
        for (float[] x : a) {
            out.writeInt(x.length);
            for (float v : x) {
                out.writeFloat(v);
            }
        }
    }

    private static void doubles(DataOutputStream out, double[] a) throws IOException {
        out.writeInt(a.length);
        for (double v : a) {
            out.writeDouble(v);
        }
    }

    private static void ints(DataOutputStream out, int[] a) throws IOException {
        out.writeInt(a.length);
        for (int v : a) {
            out.writeInt(v);
        }
    }

    /** A DataInputStream over the first {@code limit} bytes whose counts are checked against what is left. */
    private static final class Reader extends DataInputStream {
        private final ByteArrayInputStream in;

        Reader(byte[] b, int limit) {
            this(new ByteArrayInputStream(b, 0, limit));
        }

        private Reader(ByteArrayInputStream in) {
            super(in);
            this.in = in;
        }

        /** A count of items of at least {@code itemBytes} each, refused if the rest cannot hold them. */
        int count(int itemBytes) throws IOException {
            int n = readInt();
            if (n < 0 || (long) n * itemBytes > in.available()) {
                throw new IOException("a count of " + n + " exceeds the " + in.available() + " bytes left");
            }
            return n;
        }

        float[][] floats2() throws IOException {
            float[][] a = new float[count(4)][];
            for (int i = 0; i < a.length; i++) {
                a[i] = new float[count(4)];
                for (int j = 0; j < a[i].length; j++) {
                    a[i][j] = readFloat();
                }
            }
            return a;
        }

        double[] doubles() throws IOException {
            double[] a = new double[count(8)];
            for (int i = 0; i < a.length; i++) {
                a[i] = readDouble();
            }
            return a;
        }

        int[] ints() throws IOException {
            int[] a = new int[count(4)];
            for (int i = 0; i < a.length; i++) {
                a[i] = readInt();
            }
            return a;
        }
    }
}
