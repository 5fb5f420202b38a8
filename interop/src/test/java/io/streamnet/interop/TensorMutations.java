package io.streamnet.interop;

import io.streamnet.interop.safetensors.DType;
import io.streamnet.interop.safetensors.SafeTensors;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Mutations of a safetensors file's tensors that keep it a valid file, so that they reach the
 * importers behind the parser: a tensor reshaped (edge sizes, its data resized to fit), removed,
 * copied under a sibling's name, transposed, or given a non-finite value.
 */
final class TensorMutations {
    private static final int[] DIMS = {0, 1, 2, 3, 4, 5, 8};

    private TensorMutations() {
    }

    static byte[] mutate(Random rnd, byte[] file, Path scratch, List<String> how) throws Exception {
        Path in = Files.write(scratch.resolve("in.safetensors"), file);
        SafeTensors.Contents c;
        try {
            c = SafeTensors.read(in, SafeTensors.Limits.DEFAULTS);
        } catch (ImportException e) {
            how.add("tensor mutation of an unreadable file (kept)");
            return file;
        }
        Map<String, SafeTensors.Tensor> t = new LinkedHashMap<>(c.tensors());
        if (t.isEmpty()) {
            how.add("tensor mutation of an empty file (kept)");
            return file;
        }
        List<String> names = new ArrayList<>(t.keySet());
        String name = names.get(rnd.nextInt(names.size()));
        SafeTensors.Tensor x = t.get(name);
        switch (rnd.nextInt(5)) {
            case 0 -> {
                int[] shape = new int[rnd.nextInt(5)];
                for (int i = 0; i < shape.length; i++) {
                    shape[i] = rnd.nextBoolean() && i < x.shape().length ? x.shape()[i] : DIMS[rnd.nextInt(DIMS.length)];
                }
                long n = Arrays.stream(shape).asLongStream().reduce(1, (a, b) -> a * b);
                if (n > 1 << 20) {
                    how.add("reshape too large (kept)");
                    return file;
                }
                float[] v = new float[(int) n];
                for (int i = 0; i < v.length; i++) {
                    v[i] = (float) rnd.nextGaussian();
                }
                t.put(name, new SafeTensors.Tensor(DType.F32, shape, v));
                how.add(name + " reshaped to " + Arrays.toString(shape));
            }
            case 1 -> {
                t.remove(name);
                how.add(name + " removed");
            }
            case 2 -> {
                String other = name.replace("weight", "bias").replace("l0", "l1").replace("_ih", "_hh");
                if (other.equals(name)) {
                    other = name + "_copy";
                }
                t.put(other, x);
                how.add(name + " copied as " + other);
            }
            case 3 -> {
                int[] reversed = x.shape().clone();
                for (int i = 0; i < reversed.length / 2; i++) {
                    int s = reversed[i];
                    reversed[i] = reversed[reversed.length - 1 - i];
                    reversed[reversed.length - 1 - i] = s;
                }
                t.put(name, new SafeTensors.Tensor(DType.F32, reversed, x.values()));
                how.add(name + " shape reversed to " + Arrays.toString(reversed));
            }
            default -> {
                float[] v = x.values().clone();
                if (v.length > 0) {
                    float[] odd = {Float.NaN, Float.POSITIVE_INFINITY, Float.MAX_VALUE, -0f, Float.MIN_VALUE};
                    v[rnd.nextInt(v.length)] = odd[rnd.nextInt(odd.length)];
                }
                t.put(name, new SafeTensors.Tensor(DType.F32, x.shape(), v));
                how.add(name + " given an odd value");
            }
        }
        Path out = scratch.resolve("out.safetensors");
        SafeTensors.write(out, t, c.metadata());
        return Files.readAllBytes(out);
    }
}
