package io.streamnet.serving.sequence;

import io.streamnet.engine.backend.Backends;
import io.streamnet.engine.checkpoint.CheckpointException;
import io.streamnet.rnn.model.ModelConfig;
import io.streamnet.schemas.ModelUpdate;
import io.streamnet.schemas.Prediction;
import io.streamnet.schemas.PredictionKind;
import io.streamnet.serving.model.ModelRejected;
import io.streamnet.serving.model.ModelSlot;
import io.streamnet.serving.model.ModelUpdates;
import io.streamnet.serving.model.ServedSequenceModel;
import java.util.List;

/**
 * Sequence models in a {@link ModelSlot}: loaded on the process's backend, and servable only when
 * the output mode can use them and they read the input kind the runtime reads (a text job stays a
 * text job across swaps).
 */
public final class SequenceModelKind implements ModelSlot.Kind<ServedSequenceModel> {
    /** Keys in the canary batch: more than one, so the batched path runs as it will in service. */
    static final int CANARY_ROWS = 3;
    private final OutputMode mode;
    private final int forecastSteps;

    public SequenceModelKind(OutputMode mode) {
        this(mode, 8);
    }

    /** @param forecastSteps what FORECAST generates in this runtime (the canary generates as many) */
    public SequenceModelKind(OutputMode mode, int forecastSteps) {
        this.mode = mode;
        this.forecastSteps = Math.max(1, forecastSteps);
    }

    /**
     * Two batched steps of {@value #CANARY_ROWS} synthetic keys (token ids spread over the
     * vocabulary, or feature values in [-1, 1]), then what this mode emits at the end marker
     * (the generated values in FORECAST): it must not throw, and every output must be finite.
     */
    @Override
    public String canary(ServedSequenceModel m) {
        try (SequenceStepper stepper = new SequenceStepper(m, mode, forecastSteps, CANARY_ROWS)) {
            return canary(m, stepper);
        }
    }

    private String canary(ServedSequenceModel m, SequenceStepper stepper) {
        ModelConfig c = m.model().config();
        SequenceInput[] inputs = new SequenceInput[CANARY_ROWS];
        for (int r = 0; r < CANARY_ROWS; r++) {
            SequenceEvent e;
            if (c.tokenInput()) {
                e = SequenceEvent.tokens("canary-" + r, 0, new int[] {r % c.vocabSize(), (7 * r + 1) % c.vocabSize()}, true);
            } else {
                float[] f = new float[c.inputSize()];
                for (int i = 0; i < f.length; i++) {
                    f[i] = (float) Math.sin(1.0 + i + r);
                }
                e = SequenceEvent.features("canary-" + r, 0, f, true);
            }
            inputs[r] = SequenceInput.of(e, m, SequenceInput.DEFAULT_MAX_STEPS);
        }
        int steps = inputs[0].steps();
        float[][] states = new float[CANARY_ROWS][];
        for (int step = 0; step < steps; step++) {
            for (int r = 0; r < CANARY_ROWS; r++) {
                stepper.loadState(r, states[r]);
                stepper.loadInput(r, inputs[r], step);
            }
            if (stepper.run(CANARY_ROWS) > 0) {
                return stepper.failure(0) != null ? stepper.failure(0) : "a row failed";
            }
            for (int r = 0; r < CANARY_ROWS; r++) {
                states[r] = stepper.state(r);
            }
        }
        for (int r = 0; r < CANARY_ROWS; r++) {
            PredictionKind kind = SequenceLifecycle.afterEvent(mode, inputs[r].event.end);
            Prediction p = kind == null ? null : stepper.prediction(r, inputs[r].event, kind);
            if (p != null && !(finite(p.getProbabilities()) && finite(p.getValues()))) {
                return "its " + p.getKind() + " output is not finite";
            }
        }
        return null;
    }

    private static boolean finite(List<Float> values) {
        for (Float v : values) {
            if (v == null || !Float.isFinite(v)) {
                return false;
            }
        }
        return true;
    }

    @Override
    public ServedSequenceModel load(byte[] checkpoint, String modelId, long version) throws CheckpointException {
        return ServedSequenceModel.load(Backends.get(), checkpoint, modelId, version);
    }

    @Override
    public ServedSequenceModel validate(ModelUpdate update) throws ModelRejected {
        return ModelUpdates.validate(Backends.get(), update);
    }

    @Override
    public String incompatibility(ServedSequenceModel m, ServedSequenceModel serving) {
        String why = mode.incompatibility(m.model());
        boolean tokens = m.model().config().tokenInput();
        if (why == null && serving != null && tokens != serving.model().config().tokenInput()) {
            why = "the job reads " + (serving.model().config().tokenInput() ? "text" : "feature vectors")
                    + ", the update is a " + (tokens ? "token" : "feature") + " model";
        }
        return why;
    }
}
