package io.streamnet.engine.tensor;

import java.util.Arrays;

/**
 * A dense float32 tensor in row-major order: a shape and an offset into a flat array.
 *
 * <p>Views ({@link #reshape}, {@link #slice}, {@link #row}) share the array; nothing here copies
 * unless its name says so ({@link #copy}). Kernels read {@link #data()} from {@link #offset()} for
 * {@link #size()} elements.
 */
public final class Tensor {
    private final float[] data;
    private final int offset;
    private final int[] shape;
    private final int size;

    private Tensor(float[] data, int offset, int[] shape) {
        this.shape = shape.clone();
        int n = 1;
        for (int d : this.shape) {
            if (d < 0) {
                throw new IllegalArgumentException("negative dimension in shape " + Arrays.toString(shape));
            }
            n = Math.multiplyExact(n, d);
        }
        if (offset < 0 || (long) offset + n > data.length) {
            throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " at offset " + offset
                    + " does not fit an array of " + data.length + " floats");
        }
        this.data = data;
        this.offset = offset;
        this.size = n;
    }

    public static Tensor zeros(int... shape) {
        int n = 1;
        for (int d : shape) {
            n = Math.multiplyExact(n, Math.max(d, 0));
        }
        return new Tensor(new float[n], 0, shape);
    }

    /** Wraps {@code data} without copying; its length must equal the shape's element count. */
    public static Tensor wrap(float[] data, int... shape) {
        Tensor t = new Tensor(data, 0, shape);
        if (t.size != data.length) {
            throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " holds " + t.size
                    + " elements but the array has " + data.length);
        }
        return t;
    }

    /** Wraps a region of {@code data} starting at {@code offset}, without copying. */
    public static Tensor view(float[] data, int offset, int... shape) {
        return new Tensor(data, offset, shape);
    }

    public static Tensor of(float... values) {
        return wrap(values.clone(), values.length);
    }

    public float[] data() {
        return data;
    }

    public int offset() {
        return offset;
    }

    public int size() {
        return size;
    }

    public int rank() {
        return shape.length;
    }

    public int dim(int axis) {
        return shape[axis < 0 ? shape.length + axis : axis];
    }

    public int[] shape() {
        return shape.clone();
    }

    /** Rows of a matrix view: the first dimension; all later dimensions are flattened into columns. */
    public int rows() {
        return shape.length == 0 ? 1 : shape[0];
    }

    public int cols() {
        return shape.length == 0 || shape[0] == 0 ? 0 : size / shape[0];
    }

    public boolean sameShape(Tensor other) {
        return Arrays.equals(shape, other.shape);
    }

    /** A view with another shape of the same element count; {@code -1} infers one dimension. */
    public Tensor reshape(int... newShape) {
        int[] s = newShape.clone();
        int infer = -1;
        int known = 1;
        for (int i = 0; i < s.length; i++) {
            if (s[i] == -1) {
                if (infer >= 0) {
                    throw new IllegalArgumentException("only one -1 allowed in " + Arrays.toString(newShape));
                }
                infer = i;
            } else {
                known *= s[i];
            }
        }
        if (infer >= 0) {
            if (known == 0 || size % known != 0) {
                throw new IllegalArgumentException("cannot reshape " + Arrays.toString(shape) + " to "
                        + Arrays.toString(newShape));
            }
            s[infer] = size / known;
            known = size;
        }
        if (known != size) {
            throw new IllegalArgumentException("cannot reshape " + Arrays.toString(shape) + " ("
                    + size + " elements) to " + Arrays.toString(newShape));
        }
        return new Tensor(data, offset, s);
    }

    /** A view of entries {@code [from, to)} along the first dimension. */
    public Tensor slice(int from, int to) {
        if (shape.length == 0 || from < 0 || to > shape[0] || from > to) {
            throw new IndexOutOfBoundsException("slice [" + from + ", " + to + ") of shape " + Arrays.toString(shape));
        }
        int stride = shape[0] == 0 ? 0 : size / shape[0];
        int[] s = shape.clone();
        s[0] = to - from;
        return new Tensor(data, offset + from * stride, s);
    }

    /** A view of entry {@code i} along the first dimension, with that dimension dropped. */
    public Tensor row(int i) {
        if (shape.length == 0 || i < 0 || i >= shape[0]) {
            throw new IndexOutOfBoundsException("row " + i + " of shape " + Arrays.toString(shape));
        }
        int stride = size / shape[0];
        return new Tensor(data, offset + i * stride, Arrays.copyOfRange(shape, 1, shape.length));
    }

    public float get(int... index) {
        return data[offset + flatIndex(index)];
    }

    public void set(float value, int... index) {
        data[offset + flatIndex(index)] = value;
    }

    /** Element at flat row-major position {@code i} of this view. */
    public float at(int i) {
        if (i < 0 || i >= size) {
            throw new IndexOutOfBoundsException("flat index " + i + " of size " + size);
        }
        return data[offset + i];
    }

    public void put(int i, float value) {
        if (i < 0 || i >= size) {
            throw new IndexOutOfBoundsException("flat index " + i + " of size " + size);
        }
        data[offset + i] = value;
    }

    private int flatIndex(int[] index) {
        if (index.length != shape.length) {
            throw new IllegalArgumentException("index of rank " + index.length + " for shape " + Arrays.toString(shape));
        }
        int flat = 0;
        for (int i = 0; i < shape.length; i++) {
            if (index[i] < 0 || index[i] >= shape[i]) {
                throw new IndexOutOfBoundsException("index " + Arrays.toString(index) + " for shape " + Arrays.toString(shape));
            }
            flat = flat * shape[i] + index[i];
        }
        return flat;
    }

    public Tensor fill(float value) {
        Arrays.fill(data, offset, offset + size, value);
        return this;
    }

    /** Copies {@code src} into this tensor; the shapes must be equal. */
    public Tensor copyFrom(Tensor src) {
        Shapes.requireSame("copyFrom", this, src);
        System.arraycopy(src.data, src.offset, data, offset, size);
        return this;
    }

    /** A new tensor with its own array holding this view's elements. */
    public Tensor copy() {
        return wrap(toArray(), shape);
    }

    public float[] toArray() {
        return Arrays.copyOfRange(data, offset, offset + size);
    }

    public boolean hasNonFinite() {
        for (int i = offset, end = offset + size; i < end; i++) {
            if (!Float.isFinite(data[i])) {
                return true;
            }
        }
        return false;
    }

    public String shapeString() {
        return Arrays.toString(shape);
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("Tensor").append(shapeString()).append(' ');
        int n = Math.min(size, 8);
        sb.append('[');
        for (int i = 0; i < n; i++) {
            if (i > 0) {
                sb.append(", ");
            }
            sb.append(data[offset + i]);
        }
        return sb.append(size > n ? ", ...]" : "]").toString();
    }
}
