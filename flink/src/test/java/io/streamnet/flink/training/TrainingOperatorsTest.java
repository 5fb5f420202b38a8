package io.streamnet.flink.training;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamnet.engine.cpu.CpuBackend;
import io.streamnet.rnn.cell.CellType;
import io.streamnet.rnn.model.ModelConfig;
import io.streamnet.rnn.model.OutputType;
import io.streamnet.rnn.model.SequenceModel;
import io.streamnet.training.HeldOutSlice;
import io.streamnet.training.TrainableModelKind;
import java.time.Duration;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.junit.jupiter.api.Test;

class TrainingOperatorsTest {
    static final TrainingOperatorConfig CONFIG = new TrainingOperatorConfig(100, 60_000, Duration.ofHours(1), 1 << 20,
            1000, 5, 3, 1000, 0f, HeldOutSlice.NONE, null, 3);
    final SequenceModel manyToOne = new SequenceModel(CpuBackend.instance(), TrainingOperatorTest.CONFIG, 11);
    final SequenceModel manyToMany = new SequenceModel(CpuBackend.instance(), ModelConfig.tokens(CellType.LSTM,
            TrainingOperatorTest.VOCAB.size(), 4, 6, 1, 0f, TrainingOperatorTest.VOCAB.size(), OutputType.MANY_TO_MANY), 5);

    @Test
    void eachKindOfModelIsTrainedByItsOwnOperator() throws Exception {
        var kind = new TrainableModelKind();
        assertThat(TrainingOperators.of(kind.load(TrainingOperatorTest.checkpoint(manyToOne, 1), "s", 1), CONFIG))
                .isInstanceOf(ManyToOneTrainingOperator.class);
        assertThat(TrainingOperators.of(kind.load(TrainingOperatorTest.checkpoint(manyToMany, 1), "s", 1), CONFIG))
                .isInstanceOf(ManyToManyTrainingOperator.class);
    }

    @Test
    void aRestoredModelOfTheOtherKindIsNotTrainedOnAndTheModelTheJobStartedWithIs() throws Exception {
        OperatorSubtaskState snapshot;
        try (var h = new TrainingOperatorTest.Harness(new ManyToManyTrainingOperator(
                TrainingOperatorTest.checkpoint(manyToMany, 1), "s", 1, CONFIG))) {
            h.open();
            snapshot = h.snapshot(1, 1);
        }
        var op = new ManyToOneTrainingOperator(TrainingOperatorTest.checkpoint(manyToOne, 1), "s", 1, CONFIG);
        try (var h = new TrainingOperatorTest.Harness(op)) {
            h.initializeState(snapshot);
            h.open();
            assertThat(op.serving().model().config().outputType()).isEqualTo(OutputType.MANY_TO_ONE);
        }
    }
}
