package io.streamnet.rnn.train;

import io.streamnet.engine.backend.Backend;
import io.streamnet.engine.tensor.Tensor;
import io.streamnet.rnn.cell.RecurrentCell;
import io.streamnet.rnn.cell.StepCache;
import io.streamnet.rnn.model.SequenceModel;
import io.streamnet.rnn.model.Task;
import java.util.List;
import java.util.Random;

/**
 * The unrolled computation of one stack of cells over a {@link SequenceBatch}: forward keeps every
 * step's states and caches, backward runs back through time (BPTT) and accumulates gradients into
 * the model's parameters. Buffers grow to the largest batch seen and are reused after that.
 *
 * <p>Rows that have finished (step t beyond their length) are not computed; their state is carried
 * unchanged, and so is their gradient on the way back.
 */
final class StackRunner {
    private final SequenceModel model;
    private final Backend backend;
    private final List<RecurrentCell> cells;
    private final int layers;
    private final int hidden;
    private final boolean lstm;
    private final float dropout;
    /** Dropout on the embedded tokens (the first layer's input), training only; 0: off. */
    private float embeddingDropout;

    private int capRows;
    private int capSteps;
    private Tensor[][] hs;
    private Tensor[][] cs;
    private StepCache[][] caches;
    private Tensor[] embedded;
    private Tensor[][] dropped;
    private Tensor[][] masks;
    private Tensor[] embeddingDropped;
    private Tensor[] embeddingMasks;
    private Tensor[] dLogits;
    private Tensor logits;
    private Tensor dLogitsFinal;
    private Tensor[] g;
    private Tensor[] cg;
    private Tensor[] dx;

    private SequenceBatch batch;
    private HeadMode mode;
    private int lossFrom;
    private boolean trained;

    /** Sets the embedding dropout rate (a training-time choice, not part of the architecture). */
    void embeddingDropout(float p) {
        if (!(p >= 0f && p < 1f)) {
            throw new IllegalArgumentException("embedding dropout must be in [0, 1), got " + p);
        }
        if (p > 0f && !model.config().tokenInput()) {
            throw new IllegalArgumentException("embedding dropout needs a token model");
        }
        if (p != embeddingDropout) {
            capRows = 0; // re-allocate with the mask buffers
            capSteps = 0;
        }
        embeddingDropout = p;
    }

    public StackRunner(SequenceModel model, List<RecurrentCell> cells) {
        this.model = model;
        this.backend = model.backend();
        this.cells = cells;
        this.layers = cells.size();
        this.hidden = cells.get(0).hiddenSize();
        this.lstm = cells.get(0).type().hasCellState();
        this.dropout = model.config().dropout();
    }

    private void ensureCapacity(int rows, int steps) {
        if (rows <= capRows && steps <= capSteps) {
            return;
        }
        capRows = Math.max(rows, capRows);
        capSteps = Math.max(steps, capSteps);
        int out = model.config().outputSize();
        hs = new Tensor[layers][capSteps + 1];
        cs = new Tensor[layers][capSteps + 1];
        caches = new StepCache[layers][capSteps];
        dropped = new Tensor[layers][capSteps];
        masks = new Tensor[layers][capSteps];
        for (int l = 0; l < layers; l++) {
            for (int t = 0; t <= capSteps; t++) {
                hs[l][t] = Tensor.zeros(capRows, hidden);
                cs[l][t] = lstm ? Tensor.zeros(capRows, hidden) : null;
            }
            for (int t = 0; t < capSteps; t++) {
                caches[l][t] = cells.get(l).newCache(capRows);
                if (l + 1 < layers && dropout > 0f) {
                    dropped[l][t] = Tensor.zeros(capRows, hidden);
                    masks[l][t] = Tensor.zeros(capRows, hidden);
                }
            }
        }
        int in = cells.get(0).inputSize();
        embeddingDropped = embeddingDropout > 0f ? new Tensor[capSteps] : null;
        embeddingMasks = embeddingDropout > 0f ? new Tensor[capSteps] : null;
        for (int t = 0; embeddingDropped != null && t < capSteps; t++) {
            embeddingDropped[t] = Tensor.zeros(capRows, in);
            embeddingMasks[t] = Tensor.zeros(capRows, in);
        }
        embedded = new Tensor[capSteps];
        dLogits = new Tensor[capSteps];
        for (int t = 0; t < capSteps; t++) {
            embedded[t] = model.config().tokenInput() ? Tensor.zeros(capRows, in) : null;
            dLogits[t] = Tensor.zeros(capRows, out);
        }
        logits = Tensor.zeros(capRows, out);
        dLogitsFinal = Tensor.zeros(capRows, out);
        g = new Tensor[layers];
        cg = new Tensor[layers];
        dx = new Tensor[layers];
        for (int l = 0; l < layers; l++) {
            g[l] = Tensor.zeros(capRows, hidden);
            cg[l] = lstm ? Tensor.zeros(capRows, hidden) : null;
            dx[l] = Tensor.zeros(capRows, cells.get(l).inputSize());
        }
    }

    /**
     * Runs the stack over {@code b}. The initial state per layer comes from {@code initH}/{@code initC}
     * ((B,H) each, rows in the batch's sorted order) or is zero. With targets, returns the mean loss of
     * the head's outputs from step {@code lossFrom} on (every-step mode) or of the final outputs, and
     * prepares their gradients for {@link #backward}; otherwise NaN. When {@code predictions} is
     * given (FINAL mode), it receives the head's outputs (B,out) in sorted row order.
     */
    public float forward(SequenceBatch b, Tensor[] initH, Tensor[] initC, HeadMode headMode, int lossFrom,
                         boolean train, Random rng, Tensor predictions) {
        return forward(b, initH, initC, headMode, lossFrom, 1f, train, rng, predictions);
    }

    /** As above, with the loss (and so every gradient) multiplied by {@code lossScale}. */
    public float forward(SequenceBatch b, Tensor[] initH, Tensor[] initC, HeadMode headMode, int lossFrom,
                         float lossScale, boolean train, Random rng, Tensor predictions) {
        this.batch = b;
        this.mode = headMode;
        this.lossFrom = lossFrom;
        this.trained = train;
        int rows = b.size();
        int steps = b.steps();
        ensureCapacity(rows, steps);
        for (int l = 0; l < layers; l++) {
            setInitial(hs[l][0], initH == null ? null : initH[l], rows);
            if (lstm) {
                setInitial(cs[l][0], initC == null ? null : initC[l], rows);
            }
        }
        double loss = 0;
        int counted = headMode == HeadMode.EVERY_STEP ? countedOutputs(b, lossFrom) : rows;
        for (int t = 0; t < steps; t++) {
            int act = b.active(t);
            Tensor x = input(t, act);
            if (train && embeddingDropout > 0f) {
                x = applyDropout(x, embeddingMasks[t].slice(0, act), embeddingDropped[t].slice(0, act), rng,
                        embeddingDropout);
            }
            for (int l = 0; l < layers; l++) {
                Tensor hOut = hs[l][t + 1].slice(0, act);
                Tensor cOut = lstm ? cs[l][t + 1].slice(0, act) : null;
                cells.get(l).forward(x, hs[l][t].slice(0, act), lstm ? cs[l][t].slice(0, act) : null, hOut, cOut,
                        caches[l][t]);
                carry(hs[l][t], hs[l][t + 1], act, rows);
                if (lstm) {
                    carry(cs[l][t], cs[l][t + 1], act, rows);
                }
                x = hOut;
                if (train && dropout > 0f && l + 1 < layers) {
                    x = applyDropout(hOut, masks[l][t].slice(0, act), dropped[l][t].slice(0, act), rng, dropout);
                }
            }
            if (headMode == HeadMode.EVERY_STEP && t >= lossFrom && b.hasStepTargets()) {
                loss += stepLoss(t, act, counted, lossScale);
            }
        }
        if (headMode == HeadMode.FINAL) {
            Tensor h = hs[layers - 1][steps].slice(0, rows);
            Tensor out = logits.slice(0, rows);
            rawHead(h, out);
            if (b.hasTargets()) {
                loss = lossScale * outputLoss(out, b.labels(), b.targets(), dLogitsFinal.slice(0, rows), lossScale);
            }
            if (predictions != null) {
                if (model.config().task() == Task.CLASSIFICATION) {
                    backend.softmax(out, predictions);
                } else {
                    predictions.copyFrom(out);
                }
            }
        }
        boolean hasLoss = headMode == HeadMode.FINAL ? b.hasTargets() : headMode == HeadMode.EVERY_STEP && b.hasStepTargets();
        return hasLoss ? (float) loss : Float.NaN;
    }

    /**
     * Back-propagates through time from the losses of the last forward, plus optional gradients
     * with respect to the final states ({@code dFinalH}/{@code dFinalC}, (B,H) per layer, e.g. from a
     * decoder). Afterwards {@link #initialStateGradH} holds dL/d(initial state).
     */
    public void backward(Tensor[] dFinalH, Tensor[] dFinalC) {
        if (!trained) {
            throw new IllegalStateException("backward needs a forward run with train = true");
        }
        int rows = batch.size();
        for (int l = 0; l < layers; l++) {
            setInitial(g[l], dFinalH == null ? null : dFinalH[l], rows);
            if (lstm) {
                setInitial(cg[l], dFinalC == null ? null : dFinalC[l], rows);
            }
        }
        if (mode == HeadMode.FINAL && batch.hasTargets()) {
            headBackward(hs[layers - 1][batch.steps()].slice(0, rows), dLogitsFinal.slice(0, rows),
                    g[layers - 1].slice(0, rows));
        }
        for (int t = batch.steps() - 1; t >= 0; t--) {
            int act = batch.active(t);
            if (mode == HeadMode.EVERY_STEP && t >= lossFrom && batch.hasStepTargets()) {
                headBackward(hs[layers - 1][t + 1].slice(0, act), dLogits[t].slice(0, act), g[layers - 1].slice(0, act));
            }
            for (int l = layers - 1; l >= 0; l--) {
                boolean needDx = l > 0 || readsEmbedding();
                Tensor dIn = needDx ? dx[l].slice(0, act) : null;
                Tensor gl = g[l].slice(0, act);
                cells.get(l).backward(caches[l][t], gl, lstm ? cg[l].slice(0, act) : null, dIn, gl);
                if (l > 0) {
                    if (dropout > 0f) {
                        backend.mul(dIn, masks[l - 1][t].slice(0, act), dIn);
                    }
                    backend.axpy(1f, dIn, g[l - 1].slice(0, act));
                } else if (dIn != null) {
                    if (embeddingDropout > 0f) {
                        backend.mul(dIn, embeddingMasks[t].slice(0, act), dIn);
                    }
                    backend.scatterAddRows(dIn, batch.tokensAt(t), act, model.embedding().grad());
                }
            }
        }
    }

    /** dL/dh per layer of the initial state after {@link #backward} (rows in sorted order), views. */
    public Tensor[] initialStateGradH() {
        return perLayer(g, 0, batch.size());
    }

    /** dL/dc per layer of the initial state (LSTM), else null. */
    public Tensor[] initialStateGradC() {
        return lstm ? perLayer(cg, 0, batch.size()) : null;
    }

    /** Hidden states per layer after step t of the last forward (t = 0: initial), views. */
    public Tensor[] statesH(int t) {
        return perLayer(column(hs, t), 0, batch.size());
    }

    /** Cell states per layer after step t (LSTM), else null. */
    public Tensor[] statesC(int t) {
        return lstm ? perLayer(column(cs, t), 0, batch.size()) : null;
    }

    /** The final states (each row at its own last step). */
    public Tensor[] finalH() {
        return statesH(batch.steps());
    }

    public Tensor[] finalC() {
        return statesC(batch.steps());
    }

    private Tensor[] column(Tensor[][] byLayer, int t) {
        Tensor[] out = new Tensor[layers];
        for (int l = 0; l < layers; l++) {
            out[l] = byLayer[l][t];
        }
        return out;
    }

    private static Tensor[] perLayer(Tensor[] ts, int from, int to) {
        Tensor[] out = new Tensor[ts.length];
        for (int l = 0; l < ts.length; l++) {
            out[l] = ts[l].slice(from, to);
        }
        return out;
    }

    /** Only the encoder reads tokens through the embedding; a decoder reads its previous outputs. */
    private boolean readsEmbedding() {
        return model.config().tokenInput() && cells == model.encoder();
    }

    private Tensor input(int t, int act) {
        if (readsEmbedding()) {
            Tensor e = embedded[t].slice(0, act);
            backend.gatherRows(model.embedding().value(), batch.tokensAt(t), act, e);
            return e;
        }
        return batch.featuresAt(t).slice(0, act);
    }

    private float stepLoss(int t, int act, int counted, float lossScale) {
        Tensor out = dLogits[t].slice(0, act);
        rawHead(hs[layers - 1][t + 1].slice(0, act), logits.slice(0, act));
        float weight = lossScale * act / counted;
        return outputLoss(logits.slice(0, act), batch.stepLabelsAt(t), batch.stepTargetsAt(t) == null ? null
                : batch.stepTargetsAt(t).slice(0, act), out, weight) * weight;
    }

    /** Loss of raw outputs against labels or values; grad gets d(weight * loss)/d(out). */
    private float outputLoss(Tensor out, int[] labels, Tensor targets, Tensor grad, float weight) {
        float l;
        if (model.config().task() == Task.CLASSIFICATION) {
            l = backend.softmaxCrossEntropy(out, labels, grad);
        } else {
            l = backend.mse(out, targets.slice(0, out.rows()), grad);
        }
        if (weight != 1f) {
            backend.scale(grad, weight);
        }
        return l;
    }

    private void rawHead(Tensor h, Tensor out) {
        backend.gemm(false, false, 1f, h, model.headWeight().value(), 0f, out);
        backend.addBias(out, model.headBias().value());
    }

    private void headBackward(Tensor h, Tensor dOut, Tensor dh) {
        backend.gemm(true, false, 1f, h, dOut, 1f, model.headWeight().grad());
        backend.sumRows(dOut, model.headBias().grad(), true);
        backend.gemm(false, true, 1f, dOut, model.headWeight().value(), 1f, dh);
    }

    private Tensor applyDropout(Tensor h, Tensor mask, Tensor out, Random rng, float rate) {
        float keep = 1f - rate;
        float scale = 1f / keep;
        for (int i = 0; i < mask.size(); i++) {
            mask.put(i, rng.nextFloat() < keep ? scale : 0f);
        }
        backend.mul(h, mask, out);
        return out;
    }

    private static int countedOutputs(SequenceBatch b, int from) {
        int n = 0;
        for (int t = from; t < b.steps(); t++) {
            n += b.active(t);
        }
        return Math.max(n, 1);
    }

    private static void setInitial(Tensor dst, Tensor src, int rows) {
        if (src == null) {
            java.util.Arrays.fill(dst.data(), dst.offset(), dst.offset() + rows * dst.cols(), 0f);
        } else {
            dst.slice(0, rows).copyFrom(src);
        }
    }

    /** Finished rows keep their state: rows [act, rows) of the next state are those of the previous. */
    private static void carry(Tensor prev, Tensor next, int act, int rows) {
        if (act < rows) {
            int w = prev.cols();
            System.arraycopy(prev.data(), prev.offset() + act * w, next.data(), next.offset() + act * w, (rows - act) * w);
        }
    }
}
