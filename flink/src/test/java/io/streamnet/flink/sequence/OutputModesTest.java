package io.streamnet.flink.sequence;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.streamnet.engine.cpu.CpuBackend;
import io.streamnet.rnn.cell.CellType;
import io.streamnet.rnn.model.ModelConfig;
import io.streamnet.rnn.model.OutputType;
import io.streamnet.rnn.model.SequenceModel;
import io.streamnet.rnn.model.Task;
import io.streamnet.rnn.state.RnnState;
import io.streamnet.schemas.Prediction;
import io.streamnet.schemas.PredictionKind;
import io.streamnet.serving.sequence.OutputMode;
import io.streamnet.serving.sequence.SequenceEvent;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What the operator emits in each output mode, and what it refuses. */
class OutputModesTest {
    private final SequenceModel model = OperatorFixtures.tokenModel(16, 7);
    private final byte[] checkpoint = OperatorFixtures.bytes(model, "sentiment", 1);

    private OperatorFixtures.Harness harness(SequenceOperatorConfig config) throws Exception {
        return OperatorFixtures.harness(checkpoint, "sentiment", 1, config);
    }

    private static SequenceEvent token(String key, long seq, int id, boolean end) {
        return SequenceEvent.tokens(key, seq, new int[] {id}, end);
    }

    @Test
    void manyToOneEmitsOnePredictionAtTheEndMarkerWithTheSequencesLabel() throws Exception {
        try (var h = harness(SequenceOperatorConfig.of(8, 0, OutputMode.MANY_TO_ONE))) {
            h.open();
            h.event(token("a", 0, 3, false));
            h.event(token("a", 1, 4, false));
            h.event(token("a", 2, 5, true).withLabel(1));
            List<Prediction> out = h.predictions();
            assertThat(out).hasSize(1);
            assertThat(out.get(0).getKind()).isEqualTo(PredictionKind.MANY_TO_ONE);
            assertThat(out.get(0).getStep()).isEqualTo(2);
            assertThat(out.get(0).getTrueLabel()).isEqualTo(1);
            assertThat(h.numKeyedStateEntries()).as("state cleared at the end").isZero();
        }
    }

    @Test
    void anEndMarkerWithoutInputClosesTheSequenceWithThePredictionOfItsState() throws Exception {
        try (var h = harness(SequenceOperatorConfig.of(8, 0, OutputMode.MANY_TO_ONE))) {
            h.open();
            h.event(token("a", 0, 3, false));
            h.event(SequenceEvent.text("a", 1, null, true));
            List<Prediction> out = h.predictions();
            assertThat(out).hasSize(1);
            assertThat(OperatorFixtures.floats(out.get(0).getProbabilities()))
                    .containsExactly(model.step(model.initialState(), 3).output());
        }
    }

    @Test
    void anEndMarkerForAKeyWithNoOpenSequenceIsADeadLetter() throws Exception {
        try (var h = harness(SequenceOperatorConfig.of(8, 0, OutputMode.MANY_TO_ONE))) {
            h.open();
            h.event(SequenceEvent.text("z", 0, null, true));
            assertThat(h.predictions()).isEmpty();
            assertThat(h.deadLetters()).extracting(d -> d.getReason().toString()).containsExactly("NO_OPEN_SEQUENCE");
        }
    }

    @Test
    void aSessionGapClosesAnIdleSequenceAsIfItsEndMarkerCame() throws Exception {
        try (var h = harness(SequenceOperatorConfig.of(8, 0, OutputMode.MANY_TO_ONE).withSessionGap(Duration.ofSeconds(30)))) {
            h.open();
            h.setProcessingTime(0);
            h.event(token("a", 0, 3, false));
            h.setProcessingTime(20_000);
            h.event(token("a", 1, 4, false).withLabel(2));
            h.setProcessingTime(45_000);
            assertThat(h.predictions()).as("20 s + 30 s gap not yet over").isEmpty();
            h.setProcessingTime(50_001);
            List<Prediction> out = h.predictions();
            assertThat(out).hasSize(1);
            assertThat(out.get(0).getStep()).isEqualTo(1);
            assertThat(out.get(0).getTrueLabel()).isEqualTo(2);
            RnnState s = model.step(model.initialState(), 3).state();
            assertThat(OperatorFixtures.floats(out.get(0).getProbabilities())).containsExactly(model.step(s, 4).output());
            assertThat(h.numKeyedStateEntries()).isZero();
        }
    }

    @Test
    void forecastGeneratesTheNextValuesAfterTheEndMarker() throws Exception {
        SequenceModel f = new SequenceModel(CpuBackend.instance(),
                ModelConfig.features(CellType.GRU, 2, 12, 1, 0f, 2, Task.REGRESSION, OutputType.MANY_TO_MANY), 5);
        byte[] bytes = OperatorFixtures.bytes(f, "forecaster", 1);
        try (var h = OperatorFixtures.harness(bytes, "forecaster", 1,
                SequenceOperatorConfig.of(4, 0, OutputMode.FORECAST).withForecastSteps(3))) {
            h.open();
            h.event(SequenceEvent.features("s", 0, new float[] {0.1f, 0.2f}, false));
            h.event(SequenceEvent.features("s", 1, new float[] {0.3f, -0.1f}, true));
            List<Prediction> out = h.predictions();
            assertThat(out).hasSize(1);
            assertThat(out.get(0).getKind()).isEqualTo(PredictionKind.FORECAST);
            SequenceModel.StepResult r0 = f.step(f.initialState(), new float[] {0.1f, 0.2f});
            SequenceModel.StepResult r1 = f.step(r0.state(), new float[] {0.3f, -0.1f});
            float[][] rest = f.generate(r1.state(), r1.output(), 2);
            float[] want = {r1.output()[0], r1.output()[1], rest[0][0], rest[0][1], rest[1][0], rest[1][1]};
            float[] got = OperatorFixtures.floats(out.get(0).getValues());
            assertThat(got).hasSize(6);
            for (int i = 0; i < 6; i++) {
                assertThat(got[i]).isCloseTo(want[i], within(1e-6f));
            }
        }
    }

    @Test
    void eventsTheModelCannotReadBecomeDeadLettersWithTheirReason() throws Exception {
        try (var h = harness(SequenceOperatorConfig.of(8, 0, OutputMode.MANY_TO_MANY))) {
            h.open();
            h.event(SequenceEvent.tokens("a", 0, new int[] {3, 99}, false));
            h.event(SequenceEvent.features("b", 0, new float[] {1f}, false));
            h.event(token("c", 0, 3, false));
            assertThat(h.deadLetters()).extracting(d -> d.getReason().toString())
                    .containsExactly("BAD_TOKEN", "WRONG_INPUT");
            assertThat(new String(h.deadLetters().get(0).getRaw().array())).contains("\"key\"").contains("99");
            assertThat(h.predictions()).hasSize(1);
        }
    }
}
