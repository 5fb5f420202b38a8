package io.streamnet.rnn.model;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamnet.engine.cpu.CpuBackend;
import io.streamnet.rnn.cell.CellType;
import io.streamnet.rnn.state.RnnState;
import org.junit.jupiter.api.Test;

/** FORECAST: the values after a sequence, as the serving runtimes emit them. */
class ForecastTest {
    private final CpuBackend cpu = CpuBackend.instance();

    @Test
    void aManyToManyForecastStartsWithTheLastOutputAndFeedsEachValueBack() {
        SequenceModel m = new SequenceModel(cpu,
                ModelConfig.features(CellType.GRU, 2, 6, 1, 0f, 2, Task.REGRESSION, OutputType.MANY_TO_MANY), 3);
        SequenceModel.StepResult r = m.step(m.initialState(), new float[] {0.5f, -0.25f});
        float[] got = m.forecast(r.state(), new float[] {0.5f, -0.25f}, r.output(), 3);
        float[][] fed = m.generate(r.state(), r.output(), 2);
        assertThat(got).containsExactly(r.output()[0], r.output()[1], fed[0][0], fed[0][1], fed[1][0], fed[1][1]);
    }

    @Test
    void aSeq2SeqForecastDecodesFromTheEncoderStateReadingTheLastInputFirst() {
        SequenceModel m = new SequenceModel(cpu,
                ModelConfig.features(CellType.LSTM, 2, 6, 1, 0f, 2, Task.REGRESSION, OutputType.SEQ2SEQ), 4);
        RnnState s = m.step(m.initialState(), new float[] {1f, 2f}).state();
        float[][] decoded = m.generate(s, new float[] {1f, 2f}, 2);
        assertThat(m.forecast(s, new float[] {1f, 2f}, null, 2))
                .containsExactly(decoded[0][0], decoded[0][1], decoded[1][0], decoded[1][1]);
        float[][] fromZeros = m.generate(s, new float[2], 1);
        assertThat(m.forecast(s, null, null, 1)).containsExactly(fromZeros[0][0], fromZeros[0][1]);
    }
}
