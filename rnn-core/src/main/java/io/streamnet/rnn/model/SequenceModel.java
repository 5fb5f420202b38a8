package io.streamnet.rnn.model;

import io.streamnet.engine.backend.Backend;
import io.streamnet.engine.nn.Parameter;
import io.streamnet.engine.nn.ParameterStore;
import io.streamnet.engine.nn.init.Initializer;
import io.streamnet.engine.tensor.ShapeMismatchException;
import io.streamnet.engine.tensor.Tensor;
import io.streamnet.rnn.cell.Cells;
import io.streamnet.rnn.cell.RecurrentCell;
import io.streamnet.rnn.state.RnnState;
import io.streamnet.rnn.state.StateBatch;
import io.streamnet.rnn.state.StateLayout;
import java.util.ArrayList;
import java.util.List;

/**
 * A recurrent sequence model: optional embedding, a stack of cells, an output head y = h W_y + b_y
 * (softmax for classification). For SEQ2SEQ a second stack, the decoder, starts from the encoder's
 * state and reads its own previous output.
 *
 * <p>For inference the model is immutable and thread-safe: all per-key data lives in
 * {@link RnnState} values and in the caller's {@link StateBatch}. Training (see the train package)
 * mutates parameters and must not overlap inference on the same instance.
 */
public final class SequenceModel {
    private final Backend backend;
    private final ModelConfig config;
    private final ParameterStore store;
    private final Parameter embedding;
    private final List<RecurrentCell> encoder;
    private final List<RecurrentCell> decoder;
    private final Parameter wy;
    private final Parameter by;
    private final StateLayout layout;

    public SequenceModel(Backend backend, ModelConfig config, long seed) {
        this(backend, config, seed, Long.MAX_VALUE);
    }

    /**
     * A model whose parameters may hold at most {@code maxParameters} floats, checked before each is
     * allocated (a checkpoint's architecture is bounded by the weights the checkpoint carries).
     */
    public SequenceModel(Backend backend, ModelConfig config, long seed, long maxParameters) {
        this.backend = backend;
        this.config = config;
        this.store = new ParameterStore(seed).limit(maxParameters);
        this.embedding = config.tokenInput()
                ? store.create("embedding", Initializer.XAVIER_UNIFORM, config.embeddingDim(), config.embeddingDim(),
                config.vocabSize(), config.embeddingDim())
                : null;
        this.encoder = stack("enc", config.stepInputSize());
        this.decoder = config.outputType() == OutputType.SEQ2SEQ ? stack("dec", config.outputSize()) : List.of();
        this.wy = store.create("head.w", Initializer.XAVIER_UNIFORM, config.hidden(), config.outputSize(),
                config.hidden(), config.outputSize());
        this.by = store.create("head.b", Initializer.ZEROS, config.hidden(), config.outputSize(), config.outputSize());
        this.layout = new StateLayout(config.cell(), config.layers(), config.hidden());
    }

    private List<RecurrentCell> stack(String prefix, int inputSize) {
        List<RecurrentCell> cells = new ArrayList<>();
        for (int l = 0; l < config.layers(); l++) {
            cells.add(Cells.create(config.cell(), backend, store, prefix + l, l == 0 ? inputSize : config.hidden(),
                    config.hidden()));
        }
        return List.copyOf(cells);
    }

    public Backend backend() {
        return backend;
    }

    public ModelConfig config() {
        return config;
    }

    public ParameterStore store() {
        return store;
    }

    public List<Parameter> parameters() {
        return store.all();
    }

    public List<RecurrentCell> encoder() {
        return encoder;
    }

    public List<RecurrentCell> decoder() {
        return decoder;
    }

    /** The embedding table (V,D), or null for feature input. */
    public Parameter embedding() {
        return embedding;
    }

    public Parameter headWeight() {
        return wy;
    }

    public Parameter headBias() {
        return by;
    }

    public StateLayout stateLayout() {
        return layout;
    }

    public RnnState initialState() {
        return RnnState.zeros(layout);
    }

    // ---- the streaming step API ----

    /**
     * A workspace for this model's steps to run device-resident on its backend, the weights uploaded
     * once ({@link Backend#residency}; a host backend's is {@link io.streamnet.engine.backend.Residency#NONE}).
     * The caller closes it.
     */
    public io.streamnet.engine.backend.Residency newResidency() {
        List<Tensor> weights = new ArrayList<>();
        for (Parameter p : store.all()) {
            weights.add(p.value());
        }
        return backend.residency(weights);
    }

    /** A workspace for batched steps of up to {@code capacity} keys over the encoder (the streaming stack). */
    public StateBatch newStateBatch(int capacity) {
        return new StateBatch(layout, encoder, capacity, config.stepInputSize(), config.outputSize());
    }

    /**
     * Advances {@code rows} keys by one step in one batched computation: the states loaded in
     * {@code batch} rows [0, rows) read input tokens (token models) or feature rows (features (rows,in))
     * and move to their next states; {@link StateBatch#output} then holds each row's prediction
     * (class probabilities, or values for regression).
     */
    public void stepBatch(StateBatch batch, int rows, int[] tokens, Tensor features) {
        Tensor x = batch.inputBuffer().slice(0, rows);
        if (config.tokenInput()) {
            if (tokens == null || tokens.length < rows) {
                throw new IllegalArgumentException("token model needs " + rows + " token ids");
            }
            backend.gatherRows(embedding.value(), tokens, rows, x);
        } else {
            if (features == null || features.rows() < rows || features.cols() != config.inputSize()) {
                throw new ShapeMismatchException("feature step needs input [" + rows + ", " + config.inputSize()
                        + "] but got " + (features == null ? "none" : features.shapeString()));
            }
            x = features.slice(0, rows);
        }
        stepCells(encoder, batch, rows, x);
        head(batch.h(encoder.size() - 1).slice(0, rows), batch.outputBuffer().slice(0, rows));
    }

    private void stepCells(List<RecurrentCell> cells, StateBatch batch, int rows, Tensor x) {
        for (int l = 0; l < cells.size(); l++) {
            Tensor c = batch.c(l) == null ? null : batch.c(l).slice(0, rows);
            Tensor cn = batch.cNext(l) == null ? null : batch.cNext(l).slice(0, rows);
            Tensor hn = batch.hNext(l).slice(0, rows);
            cells.get(l).forward(x, batch.h(l).slice(0, rows), c, hn, cn, batch.cache(l));
            x = hn;
        }
        batch.advance();
    }

    /** out (B,outputSize) = head(h): probabilities for classification, values for regression. */
    public void head(Tensor h, Tensor out) {
        backend.gemm(false, false, 1f, h, wy.value(), 0f, out);
        backend.addBias(out, by.value());
        if (config.task() == Task.CLASSIFICATION) {
            backend.softmax(out, out);
        }
    }

    /** One key, one step: a convenience over {@link #stepBatch} (allocates a workspace per call). */
    public StepResult step(RnnState state, int token) {
        StateBatch b = newStateBatch(1);
        b.load(0, state);
        stepBatch(b, 1, new int[] {token}, null);
        return new StepResult(b.save(0), b.output(0).toArray());
    }

    public StepResult step(RnnState state, float[] features) {
        StateBatch b = newStateBatch(1);
        b.load(0, state);
        stepBatch(b, 1, null, Tensor.wrap(features.clone(), 1, features.length));
        return new StepResult(b.save(0), b.output(0).toArray());
    }

    /** The state after a step and the prediction made from it. */
    public record StepResult(RnnState state, float[] output) {
    }

    /**
     * ONE_TO_MANY / decoding: from {@code state}, feeds {@code first} in and then each output back as
     * the next input, for {@code steps} steps; returns the outputs (steps, outputSize). Feature models
     * only (inputSize must equal outputSize); token models generate with {@link TokenSampler}.
     * For SEQ2SEQ the decoder stack runs from the encoder's state.
     */
    public float[][] generate(RnnState state, float[] first, int steps) {
        List<RecurrentCell> cells = config.outputType() == OutputType.SEQ2SEQ ? decoder : encoder;
        int width = cells.get(0).inputSize();
        if (first.length != width || width != config.outputSize()) {
            throw new ShapeMismatchException("generation feeds outputs back: needs input width " + width
                    + " = output width " + config.outputSize() + " and a first input of that width, got " + first.length);
        }
        StateBatch b = new StateBatch(layout, cells, 1, width, config.outputSize());
        b.load(0, state);
        Tensor x = Tensor.wrap(first.clone(), 1, width);
        float[][] out = new float[steps][];
        for (int t = 0; t < steps; t++) {
            stepCells(cells, b, 1, x);
            head(b.h(cells.size() - 1).slice(0, 1), b.outputBuffer().slice(0, 1));
            out[t] = b.output(0).toArray();
            x = Tensor.wrap(out[t].clone(), 1, width);
        }
        return out;
    }

    /**
     * The next {@code steps} values after a sequence (many-to-one + one-to-many), flattened
     * (steps x outputSize). A SEQ2SEQ model's decoder runs from the encoder state {@code state},
     * reading the sequence's last input first (zeros when the sequence ended without one); any
     * other model's last output IS the next value, and each generated value is fed back for the
     * ones after it.
     *
     * @param lastInput  the input of the sequence's last step, or null
     * @param lastOutput the model's output after that step (the first forecast value of a non-SEQ2SEQ model)
     */
    public float[] forecast(RnnState state, float[] lastInput, float[] lastOutput, int steps) {
        if (steps < 1) {
            throw new IllegalArgumentException("a forecast has at least one step, got " + steps);
        }
        float[][] values;
        if (config.outputType() == OutputType.SEQ2SEQ) {
            float[] first = lastInput != null ? lastInput : new float[decoder.get(0).inputSize()];
            values = generate(state, first, steps);
        } else {
            values = new float[steps][];
            values[0] = lastOutput;
            if (steps > 1) {
                System.arraycopy(generate(state, lastOutput, steps - 1), 0, values, 1, steps - 1);
            }
        }
        int w = values[0].length;
        float[] flat = new float[steps * w];
        for (int t = 0; t < steps; t++) {
            System.arraycopy(values[t], 0, flat, t * w, w);
        }
        return flat;
    }
}
