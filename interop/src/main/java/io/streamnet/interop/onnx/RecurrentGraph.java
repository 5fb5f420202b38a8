package io.streamnet.interop.onnx;

import static io.streamnet.interop.onnx.OnnxGraph.describe;
import static io.streamnet.interop.onnx.OnnxGraph.in;

import io.streamnet.interop.ImportException;
import io.streamnet.interop.Matrices;
import io.streamnet.interop.onnx.proto.OnnxSubset.NodeProto;
import io.streamnet.interop.onnx.proto.OnnxSubset.TensorProto.DataType;
import io.streamnet.interop.pytorch.RecurrentArch;
import io.streamnet.interop.safetensors.DType;
import io.streamnet.interop.safetensors.SafeTensors;
import io.streamnet.rnn.cell.CellType;
import io.streamnet.rnn.model.OutputType;
import io.streamnet.rnn.model.Task;
import io.streamnet.rnn.text.Vocabulary;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * A recurrent ONNX graph (what {@code torch.onnx.export} writes for an embedding or feature input,
 * a stack of {@code RNN}/{@code LSTM}/{@code GRU} nodes, a {@code Gemm} or {@code MatMul}+{@code Add}
 * head and an optional {@code Softmax}) as the PyTorch {@code state_dict} and ARCH that
 * {@link io.streamnet.interop.pytorch.RecurrentImport} reads, so that both formats share one mapping
 * onto the project's cells.
 *
 * <p>The data path is followed back from the output to the input, then checked forward with each
 * value's axes named (T time, B batch, D direction, L layer, F features, O outputs): layout glue
 * ({@code Transpose}, {@code Squeeze} of the direction axis, {@code Gather} of the last step or
 * the last layer's final state) must leave the computation the streaming step performs, else the
 * node is refused by name. Initial states must be zero (absent, or a zero {@code ConstantOfShape}
 * through slices), as a new key's state is. The gate blocks are reordered from ONNX's (LSTM i, o,
 * f, c; GRU z, r, h) to PyTorch's (i, f, g, o; r, z, n); a GRU must have
 * {@code linear_before_reset = 1}, PyTorch's (and our cell's) reset applied after the recurrent
 * product.
 */
final class RecurrentGraph {
    static final Set<String> CELLS = Set.of("RNN", "LSTM", "GRU");
    private static final String EMBEDDING = "embedding";
    private static final String HEAD = "fc";

    record Translated(Map<String, SafeTensors.Tensor> stateDict, RecurrentArch arch) {
    }

    /** One node of the data path and the value through which the path enters it. */
    private record Step(NodeProto node, String in, String out) {
    }

    private final OnnxGraph g;
    private final Map<String, SafeTensors.Tensor> sd = new LinkedHashMap<>();
    private final List<NodeProto> cells = new ArrayList<>();
    private List<String> axes;
    private CellType cell;
    private int width;
    private int outputs = -1;
    private boolean headOpen;
    private boolean softmax;

    private RecurrentGraph(OnnxGraph g) {
        this.g = g;
    }

    static Translated translate(OnnxGraph g, Task task, Vocabulary vocabulary) throws ImportException {
        return new RecurrentGraph(g).run(task, vocabulary);
    }

    private Translated run(Task task, Vocabulary vocabulary) throws ImportException {
        List<Step> path = dataPath();
        int type = g.inputElemType();
        boolean tokens = type == DataType.INT64_VALUE || type == DataType.INT32_VALUE;
        if (!tokens && type != DataType.FLOAT_VALUE) {
            throw new ImportException("the input '" + g.input() + "' is of element type " + DataType.forNumber(type)
                    + ": token ids (INT64, INT32) or FLOAT features are read");
        }
        int rank = g.inputRank();
        if (rank != -1 && rank != (tokens ? 2 : 3)) {
            throw new ImportException("the input '" + g.input() + "' has rank " + rank + ": a recurrent model reads "
                    + (tokens ? "(batch, time) token ids" : "(batch, time, features)"));
        }
        axes = new ArrayList<>(tokens ? List.of("s0", "s1") : List.of("s0", "s1", "F"));
        width = tokens ? -1 : (rank == 3 ? g.inputDims()[2] : 0);
        for (int i = 0; i < path.size(); i++) {
            Step s = path.get(i);
            if (softmax) {
                throw new ImportException(describe(s.node()) + " follows the Softmax: the Softmax must be the last node");
            }
            apply(s, i == 0, tokens);
        }
        if (outputs < 0 || headOpen && !sd.containsKey(HEAD + ".weight")) {
            throw new ImportException("the graph has no linear head (Gemm, or MatMul and Add) after its recurrent layers");
        }
        if (!axes.get(axes.size() - 1).equals("O") || !axes.contains("B")) {
            throw new ImportException("the output has axes " + axes + ": (batch, outputs) or (batch, time, outputs) "
                    + "is read");
        }
        OutputType output = axes.contains("T") ? OutputType.MANY_TO_MANY : OutputType.MANY_TO_ONE;
        Task t = task != null ? task : Task.CLASSIFICATION;
        if (softmax && t != Task.CLASSIFICATION) {
            throw new ImportException("the graph ends in a Softmax: a classification model, not " + t);
        }
        try {
            return new Translated(sd, new RecurrentArch(cell, tokens ? EMBEDDING : null,
                    cell.name().toLowerCase(Locale.ROOT), HEAD, t, output, vocabulary));
        } catch (IllegalArgumentException e) {
            throw new ImportException(e.getMessage(), e);
        }
    }

    /** Output back to input along the one computed input of each node, then reversed. */
    private List<Step> dataPath() throws ImportException {
        List<Step> back = new ArrayList<>();
        String v = g.output();
        // OnnxGraph refuses cycles; the visited set keeps this walk finite whatever it is given
        Set<String> seen = new HashSet<>();
        while (!v.equals(g.input())) {
            if (!seen.add(v)) {
                throw new ImportException("the path back from the output comes back to '" + v + "': the graph has a "
                        + "cycle");
            }
            NodeProto n = g.producer(v);
            if (n == null) {
                throw new ImportException("'" + v + "' on the output's path is a constant, not computed from the input");
            }
            String from;
            if (CELLS.contains(n.getOpType())) {
                from = in(n, 0);
            } else if (n.getOpType().equals("Concat")) {
                from = n.getInput(n.getInputCount() - 1); // the last layer's final state; checked forward
            } else if (n.getOpType().equals("Gather") && g.isConstant(in(n, 0))) {
                from = in(n, 1); // the embedding lookup
            } else {
                from = null;
                for (String i : n.getInputList()) {
                    if (!i.isEmpty() && !g.isConstant(i)) {
                        if (from != null) {
                            throw new ImportException(describe(n) + " joins two computed values: a recurrent model's "
                                    + "path has no branches");
                        }
                        from = i;
                    }
                }
                if (from == null) {
                    throw new ImportException(describe(n) + " computes only from constants");
                }
            }
            back.add(new Step(n, from, v));
            v = from;
        }
        Collections.reverse(back);
        return back;
    }

    private void apply(Step s, boolean first, boolean tokens) throws ImportException {
        NodeProto n = s.node();
        switch (n.getOpType()) {
            case "Gather" -> {
                if (g.isConstant(in(n, 0))) {
                    embedding(n, first && tokens);
                } else {
                    pick(n);
                }
            }
            case "Transpose" -> {
                OnnxGraph.onlyAttributes(n, Set.of("perm"));
                long[] perm = OnnxGraph.intsAttr(n, "perm");
                if (perm != null && (perm.length != axes.size()
                        || java.util.Arrays.stream(perm).distinct().filter(a -> a >= 0 && a < axes.size()).count()
                        != axes.size())) {
                    throw new ImportException(describe(n) + " has perm " + java.util.Arrays.toString(perm)
                            + ": not a permutation of the " + axes.size() + " axes of its input");
                }
                List<String> next = new ArrayList<>();
                for (int i = 0; i < axes.size(); i++) {
                    next.add(axes.get(perm == null ? axes.size() - 1 - i : (int) perm[i]));
                }
                axes = next;
            }
            case "Squeeze" -> squeeze(n);
            case "Identity" -> {
            }
            case "RNN", "LSTM", "GRU" -> recurrent(n, s.out());
            case "Concat" -> concat(n);
            case "MatMul" -> matMul(n, s.in());
            case "Add" -> addBias(n, s.in());
            case "Gemm" -> gemm(n);
            case "Softmax" -> {
                OnnxGraph.onlyAttributes(n, Set.of("axis"));
                int axis = axis(n, OnnxGraph.intAttr(n, "axis", g.opset() >= 13 ? -1 : 1));
                if (axis != axes.size() - 1 || outputs < 0) {
                    throw new ImportException(describe(n) + " is over axis " + axes.get(axis) + ": only a softmax over "
                            + "the head's outputs is read");
                }
                softmax = true;
            }
            default -> throw new ImportException(describe(n) + ": " + n.getOpType() + " is not an operator the recurrent "
                    + "importer reads (Gather, RNN, LSTM, GRU, Gemm, MatMul, Add, Softmax, and Transpose, Squeeze, "
                    + "Concat for layout)");
        }
    }

    private void embedding(NodeProto n, boolean allowed) throws ImportException {
        if (!allowed) {
            throw new ImportException(describe(n) + " looks up a constant table but does not read the token input");
        }
        OnnxGraph.onlyAttributes(n, Set.of("axis"));
        OnnxTensor table = g.constant(in(n, 0), describe(n) + "'s table");
        if (OnnxGraph.intAttr(n, "axis", 0) != 0 || table.rank() != 2) {
            throw new ImportException(describe(n) + ": an embedding is a (vocabulary, dim) table gathered on axis 0");
        }
        sd.put(EMBEDDING + ".weight", table.toTensor("the embedding"));
        axes.add("F");
        width = table.dims()[1];
    }

    /** Gather of one index: the last time step, the direction axis or the last layer's final state. */
    private void pick(NodeProto n) throws ImportException {
        OnnxGraph.onlyAttributes(n, Set.of("axis"));
        OnnxTensor index = g.constant(in(n, 1), describe(n) + "'s index");
        if (index.rank() != 0) {
            throw new ImportException(describe(n) + " gathers " + index.shapeString() + ": one index (a scalar) is read");
        }
        long i = index.scalar(describe(n) + "'s index");
        int axis = axis(n, OnnxGraph.intAttr(n, "axis", 0));
        String sym = axes.get(axis);
        boolean ok = switch (sym) {
            case "T" -> i == -1;
            case "D" -> i == 0 || i == -1;
            case "L" -> i == -1 || i == cells.size() - 1;
            default -> false;
        };
        if (!ok) {
            throw new ImportException(describe(n) + " takes index " + i + " of axis " + sym + ": only the last time step "
                    + "(-1), the one direction or the last layer is read");
        }
        axes.remove(axis);
    }

    private void squeeze(NodeProto n) throws ImportException {
        long[] which;
        if (g.opset() >= 13) {
            OnnxGraph.onlyAttributes(n, Set.of());
            which = in(n, 1).isEmpty() ? null : g.constant(in(n, 1), describe(n) + "'s axes").ints();
        } else {
            OnnxGraph.onlyAttributes(n, Set.of("axes"));
            which = OnnxGraph.intsAttr(n, "axes");
        }
        if (which == null) {
            axes.removeIf(a -> a.equals("D"));
            return;
        }
        List<Integer> drop = new ArrayList<>();
        for (long a : which) {
            int axis = axis(n, a);
            if (!axes.get(axis).equals("D")) {
                throw new ImportException(describe(n) + " removes axis " + axes.get(axis) + ": only the direction axis is "
                        + "squeezed");
            }
            drop.add(axis);
        }
        drop.sort(Collections.reverseOrder());
        for (int a : drop) {
            axes.remove(a);
        }
    }

    private void recurrent(NodeProto n, String out) throws ImportException {
        String op = n.getOpType();
        CellType c = switch (op) {
            case "RNN" -> CellType.RNN;
            case "LSTM" -> CellType.LSTM;
            default -> CellType.GRU;
        };
        if (cell != null && cell != c) {
            throw new ImportException(describe(n) + " follows a " + cell + ": one kind of cell per stack");
        }
        cell = c;
        OnnxGraph.onlyAttributes(n, switch (c) {
            case LSTM -> Set.of("hidden_size", "direction", "activations", "input_forget", "layout");
            case GRU -> Set.of("hidden_size", "direction", "activations", "linear_before_reset", "layout");
            default -> Set.of("hidden_size", "direction", "activations", "layout");
        });
        if (!OnnxGraph.stringAttr(n, "direction", "forward").equals("forward")) {
            throw new ImportException(describe(n) + " runs " + OnnxGraph.stringAttr(n, "direction", "")
                    + ": only forward (unidirectional) layers stream");
        }
        List<String> acts = OnnxGraph.stringsAttr(n, "activations");
        List<String> standard = switch (c) {
            case LSTM -> List.of("Sigmoid", "Tanh", "Tanh");
            case GRU -> List.of("Sigmoid", "Tanh");
            default -> List.of("Tanh");
        };
        if (acts != null && !acts.equals(standard)) {
            throw new ImportException(describe(n) + " has activations " + acts + ": only " + standard + " is read");
        }
        if (OnnxGraph.intAttr(n, "input_forget", 0) != 0) {
            throw new ImportException(describe(n) + " couples the input and forget gates (input_forget), which our LSTM "
                    + "does not");
        }
        if (c == CellType.GRU && OnnxGraph.intAttr(n, "linear_before_reset", 0) != 1) {
            throw new ImportException(describe(n) + " has linear_before_reset = 0 (reset applied to h before the "
                    + "recurrent product): our GRU, like PyTorch's, is linear_before_reset = 1");
        }
        int layout = (int) OnnxGraph.intAttr(n, "layout", 0);
        String t0 = layout == 0 ? "T" : "B";
        String t1 = layout == 0 ? "B" : "T";
        if (axes.size() != 3 || !axes.get(2).equals("F")) {
            throw new ImportException(describe(n) + " reads a value of axes " + axes + ": (time, batch, features) is read");
        }
        bind(n, 0, t0);
        bind(n, 1, t1);
        if (!in(n, 4).isEmpty()) {
            throw new ImportException(describe(n) + " has sequence_lens: a stream's sequences have no fixed length");
        }
        for (int i = 5; i <= (c == CellType.LSTM ? 6 : 5); i++) {
            if (!zero(in(n, i))) {
                throw new ImportException(describe(n) + "'s initial " + (i == 5 ? "h" : "c") + " is not zero: a new key's "
                        + "state starts at zero");
            }
        }
        if (c == CellType.LSTM && !in(n, 7).isEmpty()) {
            throw new ImportException(describe(n) + " has peepholes (P), which our LSTM does not");
        }
        int gates = c.gates();
        OnnxTensor w = g.constant(in(n, 1), describe(n) + "'s W");
        OnnxTensor r = g.constant(in(n, 2), describe(n) + "'s R");
        long hiddenAttr = OnnxGraph.intAttr(n, "hidden_size", -1);
        if (w.rank() != 3 || w.dims()[0] != 1 || w.dims()[1] % gates != 0) {
            throw new ImportException(describe(n) + "'s W is " + w.shapeString() + ": [1, " + gates + "*hidden, input]");
        }
        int h = w.dims()[1] / gates;
        int inW = w.dims()[2];
        if (hiddenAttr != -1 && hiddenAttr != h) {
            throw new ImportException(describe(n) + " has hidden_size " + hiddenAttr + ", W " + w.shapeString());
        }
        if (width > 0 && inW != width) {
            throw new ImportException(describe(n) + "'s W reads " + inW + " inputs, the value has " + width);
        }
        if (r.rank() != 3 || r.dims()[0] != 1 || r.dims()[1] != gates * h || r.dims()[2] != h) {
            throw new ImportException(describe(n) + "'s R is " + r.shapeString() + ", not [1, " + gates * h + ", " + h + "]");
        }
        int[] order = switch (c) {
            case LSTM -> new int[] {0, 2, 3, 1}; // ONNX i, o, f, c -> PyTorch i, f, g, o
            case GRU -> new int[] {1, 0, 2}; // ONNX z, r, h -> PyTorch r, z, n
            default -> new int[] {0};
        };
        String module = c.name().toLowerCase(Locale.ROOT);
        int l = cells.size();
        sd.put(module + ".weight_ih_l" + l, tensor(blocks(w.floats(), order, h * inW), gates * h, inW));
        sd.put(module + ".weight_hh_l" + l, tensor(blocks(r.floats(), order, h * h), gates * h, h));
        if (!in(n, 3).isEmpty()) {
            OnnxTensor b = g.constant(in(n, 3), describe(n) + "'s B");
            if (b.rank() != 2 || b.dims()[0] != 1 || b.dims()[1] != 2 * gates * h) {
                throw new ImportException(describe(n) + "'s B is " + b.shapeString() + ", not [1, " + 2 * gates * h + "]");
            }
            float[] wb = java.util.Arrays.copyOfRange(b.floats(), 0, gates * h);
            float[] rb = java.util.Arrays.copyOfRange(b.floats(), gates * h, 2 * gates * h);
            sd.put(module + ".bias_ih_l" + l, tensor(blocks(wb, order, h), gates * h));
            sd.put(module + ".bias_hh_l" + l, tensor(blocks(rb, order, h), gates * h));
        }
        cells.add(n);
        width = h;
        int port = n.getOutputList().indexOf(out);
        if (port == 2) {
            throw new ImportException(describe(n) + "'s cell state (Y_c) feeds the output: the head reads h");
        }
        axes = new ArrayList<>(port == 0 ? (layout == 0 ? List.of("T", "D", "B", "F") : List.of("B", "T", "D", "F"))
                : (layout == 0 ? List.of("D", "B", "F") : List.of("B", "D", "F")));
    }

    /** The first two axes are the input's time and batch: name them on first use, or check. */
    private void bind(NodeProto n, int i, String want) throws ImportException {
        String have = axes.get(i);
        if (have.startsWith("s")) {
            String other = have.equals("s0") ? "s1" : "s0";
            String otherWant = want.equals("T") ? "B" : "T";
            axes.replaceAll(a -> a.equals(have) ? want : a.equals(other) ? otherWant : a);
        } else if (!have.equals(want)) {
            throw new ImportException(describe(n) + " reads axes " + axes + " as (" + (i == 0 ? want + ", ..." : "..., "
                    + want) + "): the graph transposes time and batch");
        }
    }

    /** PyTorch's h_n: the final states of all layers stacked; the path reads the last layer's. */
    private void concat(NodeProto n) throws ImportException {
        OnnxGraph.onlyAttributes(n, Set.of("axis"));
        if (n.getInputCount() != cells.size()) {
            throw new ImportException(describe(n) + " joins " + n.getInputCount() + " values: only the final states of all "
                    + cells.size() + " recurrent layers are read");
        }
        for (int i = 0; i < cells.size(); i++) {
            NodeProto c = cells.get(i);
            if (c.getOutputCount() < 2 || !n.getInput(i).equals(c.getOutput(1))) {
                throw new ImportException(describe(n) + " input " + i + " is not the final state of recurrent layer " + i);
            }
        }
        int axis = axis(n, OnnxGraph.intAttr(n, "axis", 0));
        if (!axes.get(axis).equals("D")) {
            throw new ImportException(describe(n) + " joins over axis " + axes.get(axis) + ", not the layer axis");
        }
        axes.set(axis, "L");
    }

    private void matMul(NodeProto n, String from) throws ImportException {
        headStart(n);
        if (!in(n, 0).equals(from)) {
            throw new ImportException(describe(n) + " multiplies a constant by the sequence: x W is read");
        }
        OnnxTensor w = g.constant(in(n, 1), describe(n) + "'s weight");
        if (w.rank() != 2 || w.dims()[0] != width || !axes.get(axes.size() - 1).equals("F")) {
            throw new ImportException(describe(n) + "'s weight " + w.shapeString() + " does not read the " + width
                    + " hidden units of axes " + axes);
        }
        outputs = w.dims()[1];
        sd.put(HEAD + ".weight", tensor(Matrices.transpose(w.floats(), width, outputs), outputs, width));
        axes.set(axes.size() - 1, "O");
        headOpen = true;
    }

    private void addBias(NodeProto n, String from) throws ImportException {
        if (!headOpen || sd.containsKey(HEAD + ".bias")) {
            throw new ImportException(describe(n) + " adds outside the head: only the bias after its MatMul is read");
        }
        String other = in(n, 0).equals(from) ? in(n, 1) : in(n, 0);
        OnnxTensor b = g.constant(other, describe(n) + "'s bias");
        if (b.size() != outputs || b.dims().length == 0 || b.dims()[b.rank() - 1] != outputs) {
            throw new ImportException(describe(n) + "'s bias " + b.shapeString() + " is not one value per output ("
                    + outputs + ")");
        }
        sd.put(HEAD + ".bias", tensor(b.floats(), outputs));
        headOpen = false;
    }

    private void gemm(NodeProto n) throws ImportException {
        headStart(n);
        OnnxGraph.onlyAttributes(n, Set.of("alpha", "beta", "transA", "transB"));
        if (OnnxGraph.floatAttr(n, "alpha", 1f) != 1f || OnnxGraph.floatAttr(n, "beta", 1f) != 1f
                || OnnxGraph.intAttr(n, "transA", 0) != 0) {
            throw new ImportException(describe(n) + " scales or transposes its input: only alpha = beta = 1, transA = 0 "
                    + "is read");
        }
        if (axes.size() != 2 || !axes.get(1).equals("F")) {
            throw new ImportException(describe(n) + " reads axes " + axes + ": (batch, hidden) is read");
        }
        OnnxTensor w = g.constant(in(n, 1), describe(n) + "'s weight");
        boolean transB = OnnxGraph.intAttr(n, "transB", 0) == 1;
        if (w.rank() != 2 || w.dims()[transB ? 1 : 0] != width) {
            throw new ImportException(describe(n) + "'s weight " + w.shapeString() + " does not read " + width + " units");
        }
        outputs = w.dims()[transB ? 0 : 1];
        sd.put(HEAD + ".weight", tensor(transB ? w.floats() : Matrices.transpose(w.floats(), width, outputs), outputs, width));
        if (!in(n, 2).isEmpty()) {
            OnnxTensor b = g.constant(in(n, 2), describe(n) + "'s bias");
            if (b.size() != outputs) {
                throw new ImportException(describe(n) + "'s bias " + b.shapeString() + " is not one per output");
            }
            sd.put(HEAD + ".bias", tensor(b.floats(), outputs));
        }
        axes.set(1, "O");
    }

    private void headStart(NodeProto n) throws ImportException {
        if (cells.isEmpty() || outputs >= 0) {
            throw new ImportException(describe(n) + ": one linear head after the recurrent layers is read");
        }
    }

    private int axis(NodeProto n, long a) throws ImportException {
        int rank = axes.size();
        long axis = a < 0 ? a + rank : a;
        if (axis < 0 || axis >= rank) {
            throw new ImportException(describe(n) + " names axis " + a + " of a rank-" + rank + " value");
        }
        return (int) axis;
    }

    /**
     * Whether {@code value} is all zeros: absent, a zero constant, or sliced and reshaped from one.
     * A loop, not recursion: a long chain of reshapes must not exhaust the stack.
     */
    private boolean zero(String value) throws ImportException {
        Set<String> seen = new HashSet<>();
        String v = value;
        while (seen.add(v)) {
            if (v.isEmpty()) {
                return true;
            }
            if (g.isConstant(v)) {
                OnnxTensor t = g.constant(v, "an initial state");
                if (t.floats() == null) {
                    return false;
                }
                for (float f : t.floats()) {
                    if (f != 0f) {
                        return false;
                    }
                }
                return true;
            }
            NodeProto p = g.producer(v);
            if (p == null) {
                return false;
            }
            switch (p.getOpType()) {
                case "ConstantOfShape" -> {
                    var a = OnnxGraph.attribute(p, "value");
                    if (a == null) {
                        return true;
                    }
                    OnnxTensor t = OnnxTensor.of(a.getT(), 1);
                    return t.floats() != null && t.floats().length == 1 && t.floats()[0] == 0f
                            || t.ints() != null && t.ints().length == 1 && t.ints()[0] == 0;
                }
                case "Slice", "Squeeze", "Unsqueeze", "Reshape", "Expand", "Identity", "Transpose", "Gather", "Tile" ->
                        v = in(p, 0);
                default -> {
                    return false;
                }
            }
        }
        return false;
    }

    /** Gate blocks of {@code block} floats each, put in PyTorch's order. */
    private static float[] blocks(float[] v, int[] order, int block) {
        float[] out = new float[v.length];
        for (int j = 0; j < order.length; j++) {
            System.arraycopy(v, order[j] * block, out, j * block, block);
        }
        return out;
    }

    private static SafeTensors.Tensor tensor(float[] v, int... shape) {
        return new SafeTensors.Tensor(DType.F32, shape, v);
    }
}
