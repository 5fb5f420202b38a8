package io.streamnet.rnn.train;

import io.streamnet.engine.backend.Backend;
import io.streamnet.engine.nn.Parameter;
import io.streamnet.engine.nn.optim.GradientClipping;
import io.streamnet.engine.nn.optim.Optimizer;
import io.streamnet.engine.tensor.Tensor;
import io.streamnet.rnn.model.OutputType;
import io.streamnet.rnn.model.SequenceModel;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Trains a {@link SequenceModel}: full BPTT per batch for every output type, truncated BPTT with
 * (k1, k2) over long streams, gradient clipping by global norm, and evaluation.
 */
public final class SequenceTrainer {
    private final SequenceModel model;
    private final Backend backend;
    private final Optimizer optimizer;
    private final float clipNorm;
    private final Random rng;
    private final StackRunner encoder;
    private final StackRunner decoder;

    /** {@code clipNorm <= 0} disables clipping. */
    public SequenceTrainer(SequenceModel model, Optimizer optimizer, float clipNorm, long seed) {
        this.model = model;
        this.backend = model.backend();
        this.optimizer = optimizer;
        this.clipNorm = clipNorm;
        this.rng = new Random(seed);
        this.encoder = new StackRunner(model, model.encoder());
        this.decoder = model.decoder().isEmpty() ? null : new StackRunner(model, model.decoder());
    }

    private HeadMode encoderHead() {
        return switch (model.config().outputType()) {
            case MANY_TO_ONE -> HeadMode.FINAL;
            case MANY_TO_MANY, ONE_TO_MANY -> HeadMode.EVERY_STEP;
            case SEQ2SEQ -> HeadMode.NONE;
        };
    }

    // ---- full BPTT ----

    /** One optimizer step of full BPTT on {@code batch}; returns its loss. */
    public float trainBatch(SequenceBatch batch) {
        float loss = gradients(batch);
        update();
        return loss;
    }

    /** Zeroes and then computes the gradients of the batch loss (no update); returns the loss. */
    public float gradients(SequenceBatch batch) {
        requireNotSeq2Seq();
        zeroGrad();
        float loss = encoder.forward(batch, null, null, encoderHead(), 0, true, rng, null);
        encoder.backward(null, null);
        return loss;
    }

    /**
     * Gradients with dropout masks drawn from {@code maskSeed}: with {@link #trainingLoss} on the
     * same seed the masks repeat, so the dropout backward can be checked by finite differences.
     */
    public float gradients(SequenceBatch batch, long maskSeed) {
        requireNotSeq2Seq();
        zeroGrad();
        float loss = encoder.forward(batch, null, null, encoderHead(), 0, true, new Random(maskSeed), null);
        encoder.backward(null, null);
        return loss;
    }

    /** The training-mode loss (dropout on) with masks drawn from {@code maskSeed}; no gradients kept. */
    public float trainingLoss(SequenceBatch batch, long maskSeed) {
        requireNotSeq2Seq();
        return encoder.forward(batch, null, null, encoderHead(), 0, true, new Random(maskSeed), null);
    }

    /** Mean loss without training (no dropout). */
    public float loss(SequenceBatch batch) {
        requireNotSeq2Seq();
        return encoder.forward(batch, null, null, encoderHead(), 0, false, rng, null);
    }

    /** MANY_TO_ONE outputs (B,out), probabilities or values, in the order the batch was built from. */
    public Tensor predict(SequenceBatch batch) {
        if (model.config().outputType() != OutputType.MANY_TO_ONE) {
            throw new IllegalStateException("predict is for MANY_TO_ONE models; this one is " + model.config().outputType());
        }
        Tensor sorted = Tensor.zeros(batch.size(), model.config().outputSize());
        encoder.forward(batch, null, null, HeadMode.FINAL, 0, false, rng, sorted);
        Tensor out = Tensor.zeros(batch.size(), model.config().outputSize());
        for (int i = 0; i < batch.size(); i++) {
            out.row(batch.order()[i]).copyFrom(sorted.row(i));
        }
        return out;
    }

    // ---- truncated BPTT ----

    /**
     * Truncated BPTT over a batch of equal-length streams: an update every {@code k1} steps, each
     * back-propagating through the last {@code k2} steps (k2 >= k1), the hidden state carried across
     * windows. A stream shorter than k1 is one window, not skipped. Returns the mean loss per output.
     */
    public float trainTbptt(SequenceBatch batch, int k1, int k2) {
        return tbptt(batch, k1, k2, true, WindowListener.NONE);
    }

    /** As {@link #trainTbptt(SequenceBatch, int, int)}, reporting each window's loss. */
    public float trainTbptt(SequenceBatch batch, int k1, int k2, WindowListener listener) {
        return tbptt(batch, k1, k2, true, listener);
    }

    /** Called after each TBPTT window with the steps done so far and the window's mean loss. */
    public interface WindowListener {
        WindowListener NONE = (done, total, loss) -> { };

        void windowDone(int stepsDone, int stepsTotal, float loss);
    }

    /**
     * Mean per-output loss over long equal-length streams, evaluated window by window with the state
     * carried across windows (no training, no dropout): e.g. validation nats per character.
     */
    public float streamLoss(SequenceBatch batch, int window) {
        requireNotSeq2Seq();
        Tensor[][] state = null;
        double total = 0;
        for (int from = 0; from < batch.steps(); from += window) {
            int to = Math.min(batch.steps(), from + window);
            float loss = encoder.forward(batch.window(from, to), state == null ? null : state[0],
                    state == null ? null : state[1], encoderHead(), 0, false, rng, null);
            total += (double) loss * (to - from) / batch.steps();
            state = copyStates(to - from);
        }
        return (float) total;
    }

    /**
     * The gradient TBPTT accumulates over all windows without applying it, each window's loss
     * weighted by its share of the outputs: equal to the full BPTT gradient when k2 covers the stream.
     */
    public float tbpttGradients(SequenceBatch batch, int k1, int k2) {
        zeroGrad();
        return tbptt(batch, k1, k2, false, WindowListener.NONE);
    }

    private float tbptt(SequenceBatch batch, int k1, int k2, boolean update, WindowListener listener) {
        requireNotSeq2Seq();
        if (encoderHead() != HeadMode.EVERY_STEP) {
            throw new IllegalStateException("truncated BPTT needs a loss at every step (MANY_TO_MANY or ONE_TO_MANY)");
        }
        if (k1 <= 0 || k2 < k1) {
            throw new IllegalArgumentException("TBPTT needs 0 < k1 <= k2, got k1=" + k1 + ", k2=" + k2);
        }
        int steps = batch.steps();
        Map<Integer, Tensor[][]> states = new HashMap<>();
        states.put(0, null);
        double total = 0;
        for (int prev = 0; prev < steps; prev += k1) {
            int end = Math.min(steps, prev + k1);
            int start = Math.max(0, end - k2);
            Tensor[][] init = states.get(start);
            SequenceBatch w = batch.window(start, end);
            float scale = update ? 1f : (float) (end - prev) / steps;
            if (update) {
                zeroGrad();
            }
            float loss = encoder.forward(w, init == null ? null : init[0], init == null ? null : init[1],
                    HeadMode.EVERY_STEP, prev - start, scale, true, rng, null);
            encoder.backward(null, null);
            if (update) {
                update();
            }
            // Weighted by the window's share of the outputs: the mean loss per output over the stream.
            total += update ? loss * (end - prev) / steps : loss;
            listener.windowDone(end, steps, update ? loss : loss / scale);
            int nextStart = Math.max(0, Math.min(steps, end + k1) - k2);
            for (int p = start + 1; p <= end; p++) {
                if (p >= nextStart) {
                    states.put(p, copyStates(p - start));
                }
            }
            states.keySet().removeIf(p -> p < nextStart);
        }
        return (float) total;
    }

    // ---- one window at a time, for streams that arrive step by step ----

    /**
     * One truncated-BPTT window of a batch of independent streams (keys) of equal length, from the
     * start states given: forward over {@code window} from {@code h0}/{@code c0} ((B,H) per layer,
     * rows in the batch's sorted order; null: zeros), a loss at every step from {@code lossFrom} on,
     * multiplied by {@code scale}, and its backward. The gradients are ADDED to the parameters'
     * ({@link #zeroGradients} first): a streaming trainer sums the windows of many keys and rounds.
     * {@link #trainTbptt} over a whole stream is the same windows one after the other.
     *
     * @return the window's mean loss per counted output, times {@code scale}
     */
    public float windowGradients(SequenceBatch window, Tensor[] h0, Tensor[] c0, int lossFrom, float scale) {
        requireNotSeq2Seq();
        if (encoderHead() != HeadMode.EVERY_STEP) {
            throw new IllegalStateException("window training needs a loss at every step (MANY_TO_MANY or ONE_TO_MANY)");
        }
        float loss = encoder.forward(window, h0, c0, HeadMode.EVERY_STEP, lossFrom, scale, true, rng, null);
        encoder.backward(null, null);
        return loss;
    }

    /** Copies of the states after step {@code t} of the last window: {h per layer, c per layer or null}. */
    public Tensor[][] windowStates(int t) {
        return copyStates(t);
    }

    /**
     * Dropout on the embedded tokens while training (inverted: kept values scaled by 1/(1-p), so
     * evaluation needs no change); a regulariser of the training run, not part of the model.
     */
    public SequenceTrainer withEmbeddingDropout(float p) {
        encoder.embeddingDropout(p);
        return this;
    }

    /** Optimizer updates done so far. */
    public long optimizerSteps() {
        return optimizer.steps();
    }

    /** The optimizer's state over the model's parameters (what an online trainer checkpoints). */
    public float[][] optimizerState() {
        return optimizer.state(model.parameters());
    }

    /** Continues from {@link #optimizerState()} after {@code steps} updates. */
    public void restoreOptimizer(long steps, float[][] state) {
        optimizer.restore(model.parameters(), steps, state);
    }

    public void zeroGradients() {
        zeroGrad();
    }

    /** Clips (if set) and applies the accumulated gradients with the optimizer. */
    public void applyGradients() {
        update();
    }

    /** Copies of the states after step t of the last forward: {h per layer, c per layer or null}. */
    private Tensor[][] copyStates(int t) {
        return new Tensor[][] {copies(encoder.statesH(t)), copies(encoder.statesC(t))};
    }

    private static Tensor[] copies(Tensor[] ts) {
        if (ts == null) {
            return null;
        }
        Tensor[] out = new Tensor[ts.length];
        for (int i = 0; i < ts.length; i++) {
            out[i] = ts[i].copy();
        }
        return out;
    }

    // ---- SEQ2SEQ ----

    /**
     * One step of full BPTT through encoder and decoder: the encoder reads {@code source}; the
     * decoder starts from its final state and reads {@code decoderInput} (the previous targets:
     * teacher forcing) with per-step targets. Both batches must list sequences in the same order.
     */
    public float trainSeq2Seq(SequenceBatch source, SequenceBatch decoderInput) {
        float loss = seq2seqGradients(source, decoderInput);
        update();
        return loss;
    }

    public float seq2seqGradients(SequenceBatch source, SequenceBatch decoderInput) {
        requireSeq2Seq();
        requireSameOrder(source, decoderInput);
        zeroGrad();
        encoder.forward(source, null, null, HeadMode.NONE, 0, true, rng, null);
        float loss = decoder.forward(decoderInput, encoder.finalH(), encoder.finalC(), HeadMode.EVERY_STEP, 0, true,
                rng, null);
        decoder.backward(null, null);
        encoder.backward(decoder.initialStateGradH(), decoder.initialStateGradC());
        return loss;
    }

    /** Decoder loss for a source and teacher-forced decoder input, without training. */
    public float seq2seqLoss(SequenceBatch source, SequenceBatch decoderInput) {
        requireSeq2Seq();
        requireSameOrder(source, decoderInput);
        encoder.forward(source, null, null, HeadMode.NONE, 0, false, rng, null);
        return decoder.forward(decoderInput, encoder.finalH(), encoder.finalC(), HeadMode.EVERY_STEP, 0, false, rng,
                null);
    }

    private static void requireSameOrder(SequenceBatch a, SequenceBatch b) {
        if (!java.util.Arrays.equals(a.order(), b.order())) {
            throw new IllegalArgumentException("encoder and decoder batches must sort their rows the same way; "
                    + "give the encoder sequences of equal length or list the decoder rows in the encoder's order");
        }
    }

    // ---- shared ----

    private void zeroGrad() {
        model.store().zeroGrad();
    }

    private void update() {
        List<Parameter> params = model.parameters();
        if (clipNorm > 0f) {
            GradientClipping.clipByGlobalNorm(backend, params, clipNorm);
        }
        optimizer.step(params);
    }

    private void requireNotSeq2Seq() {
        if (model.config().outputType() == OutputType.SEQ2SEQ) {
            throw new IllegalStateException("SEQ2SEQ models train with trainSeq2Seq");
        }
    }

    private void requireSeq2Seq() {
        if (model.config().outputType() != OutputType.SEQ2SEQ) {
            throw new IllegalStateException("trainSeq2Seq needs a SEQ2SEQ model; this one is "
                    + model.config().outputType());
        }
    }

    /** All parameters, for callers that inspect gradients. */
    public List<Parameter> parameters() {
        return new ArrayList<>(model.parameters());
    }
}
