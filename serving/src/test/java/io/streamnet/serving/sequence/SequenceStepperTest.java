package io.streamnet.serving.sequence;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.streamnet.engine.backend.Backend;
import io.streamnet.engine.backend.Placement;
import io.streamnet.engine.cpu.CpuBackend;
import io.streamnet.rnn.cell.CellType;
import io.streamnet.rnn.model.ModelConfig;
import io.streamnet.rnn.model.OutputType;
import io.streamnet.rnn.model.SequenceModel;
import io.streamnet.rnn.model.Task;
import io.streamnet.rnn.text.Vocabulary;
import io.streamnet.schemas.Prediction;
import io.streamnet.schemas.PredictionKind;
import io.streamnet.serving.model.ServedSequenceModel;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The stepper every sequence runtime uses: batched steps equal the model's own (what each mode emits: {@link SequenceLifecycleTest}). */
class SequenceStepperTest {
    private static final Vocabulary VOCAB = Vocabulary.words(List.of("great phone works well"), 50, 1);
    private final SequenceModel model = new SequenceModel(CpuBackend.instance(),
            ModelConfig.tokens(CellType.GRU, VOCAB.size(), 8, 12, 1, 0f, 2, OutputType.MANY_TO_ONE), 3);
    private final ServedSequenceModel served = new ServedSequenceModel("m", 4, new byte[0], model, VOCAB);

    private SequenceInput input(String key, int seq, String text, boolean end) {
        return SequenceInput.of(SequenceEvent.text(key, seq, text, end), served, 100);
    }

    /** Steps {@code in} alone in row 0 from {@code stored}; returns its prediction of {@code kind} and the new state. */
    private Prediction step(SequenceStepper s, SequenceInput in, float[] stored, float[][] state, PredictionKind kind) {
        s.loadState(0, stored);
        for (int i = 0; i < in.steps(); i++) {
            s.loadInput(0, in, i);
            s.run(1);
        }
        state[0] = s.state(0);
        return s.prediction(0, in.event, kind);
    }

    @Test
    void keysSteppedInOneBatchGetTheModelsOwnOutputs() {
        SequenceStepper s = new SequenceStepper(served, OutputMode.MANY_TO_ONE, 1, 2);
        SequenceInput a = input("a", 0, "great", true);
        SequenceInput b = input("b", 0, "phone", true);
        s.loadState(0, null);
        s.loadState(1, null);
        s.loadInput(0, a, 0);
        s.loadInput(1, b, 0);
        s.run(2);
        float[] wantA = model.step(model.initialState(), VOCAB.id("great")).output();
        float[] wantB = model.step(model.initialState(), VOCAB.id("phone")).output();
        assertThat(s.prediction(0, a.event, PredictionKind.MANY_TO_ONE).getProbabilities()).containsExactly(wantA[0], wantA[1]);
        assertThat(s.prediction(1, b.event, PredictionKind.MANY_TO_ONE).getProbabilities()).containsExactly(wantB[0], wantB[1]);
    }

    @Test
    void roundsFromThePlacementsThresholdUpAreSteppedOnItsLargeBackendWithTheSameAnswers() {
        java.util.concurrent.atomic.AtomicInteger deviceOps = new java.util.concurrent.atomic.AtomicInteger();
        Backend device = (Backend) java.lang.reflect.Proxy.newProxyInstance(Backend.class.getClassLoader(),
                new Class<?>[] {Backend.class}, (proxy, method, args) -> {
                    if (method.getName().equals("name")) {
                        return "device";
                    }
                    deviceOps.incrementAndGet();
                    return method.invoke(CpuBackend.instance(), args);
                });
        SequenceStepper s = new SequenceStepper(model, "m", 4, OutputMode.MANY_TO_ONE, 1, 4,
                Placement.split(CpuBackend.instance(), device, 3, "test"));
        SequenceInput[] in = {input("a", 0, "great", true), input("b", 0, "phone", true), input("c", 0, "works", true)};
        String[] words = {"great", "phone", "works"};
        for (int rows : new int[] {2, 3}) {
            deviceOps.set(0);
            for (int i = 0; i < rows; i++) {
                s.loadState(i, null);
                s.loadInput(i, in[i], 0);
            }
            s.run(rows);
            assertThat(deviceOps.get() > 0).as("%d rows on the device", rows).isEqualTo(rows >= 3);
            for (int i = 0; i < rows; i++) {
                float[] want = model.step(model.initialState(), VOCAB.id(words[i])).output();
                assertThat(s.prediction(i, in[i].event, PredictionKind.MANY_TO_ONE).getProbabilities()).containsExactly(want[0], want[1]);
            }
        }
    }

    @Test
    void aPredictionFromAStoredStateIsTheModelsOutputForIt() {
        SequenceStepper s = new SequenceStepper(served, OutputMode.MANY_TO_ONE, 1, 1);
        float[][] state = new float[1][];
        step(s, input("a", 0, "great phone", false), null, state, PredictionKind.MANY_TO_ONE);
        Prediction p = s.predictionFrom(state[0], SequenceEvent.text("a", 1, null, true), PredictionKind.MANY_TO_ONE);
        float[] want = model.step(model.step(model.initialState(), VOCAB.id("great")).state(), VOCAB.id("phone"))
                .output();
        assertThat(p.getProbabilities()).containsExactly(want[0], want[1]);
    }

    @Test
    void onlyAStateOfThisModelsShapeIsReadable() {
        SequenceStepper s = new SequenceStepper(served, OutputMode.MANY_TO_ONE, 1, 1);
        assertThat(s.readable(null)).isFalse();
        assertThat(s.readable(new float[3])).isFalse();
        assertThat(s.readable(model.initialState().values())).isTrue();
    }

    @Test
    void aStateOfAnotherShapeLoadsAsTheInitialStateAndCountsAsAReset() {
        SequenceStepper s = new SequenceStepper(served, OutputMode.MANY_TO_ONE, 1, 1);
        assertThat(s.loadState(0, new float[3])).isTrue();
        assertThat(s.loadState(0, null)).isFalse();
    }

    @Test
    void aForecastModeNeedsAFeatureModelOfEqualWidths() {
        assertThatThrownBy(() -> new SequenceStepper(served, OutputMode.FORECAST, 3, 1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("feature model");
        SequenceModel f = new SequenceModel(CpuBackend.instance(),
                ModelConfig.features(CellType.GRU, 2, 6, 1, 0f, 2, Task.REGRESSION, OutputType.MANY_TO_MANY), 1);
        SequenceStepper s = new SequenceStepper(new ServedSequenceModel("f", 1, new byte[0], f, null),
                OutputMode.FORECAST, 3, 1);
        SequenceInput end = SequenceInput.of(SequenceEvent.features("k", 0, new float[] {1f, 0f}, true),
                new ServedSequenceModel("f", 1, new byte[0], f, null), 10);
        Prediction p = step(s, end, null, new float[1][], PredictionKind.FORECAST);
        assertThat(p.getValues()).hasSize(3 * 2);
    }
}
