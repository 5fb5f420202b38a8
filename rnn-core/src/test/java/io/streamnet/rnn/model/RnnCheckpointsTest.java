package io.streamnet.rnn.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.streamnet.engine.checkpoint.Checkpoint;
import io.streamnet.engine.checkpoint.CheckpointException;
import io.streamnet.engine.cpu.CpuBackend;
import io.streamnet.rnn.cell.CellType;
import io.streamnet.rnn.text.Vocabulary;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RnnCheckpointsTest {
    private final CpuBackend cpu = CpuBackend.instance();

    @Test
    void checkpointKeepsModelAndVocabularyAndGivesTheSamePredictions(@TempDir Path dir) throws Exception {
        Vocabulary vocab = Vocabulary.words(List.of("the cat sat on the mat", "a dog"), 100, 1);
        SequenceModel m = new SequenceModel(cpu,
                ModelConfig.tokens(CellType.LSTM, vocab.size(), 8, 12, 2, 0.1f, 2, OutputType.MANY_TO_ONE), 4);
        Path file = dir.resolve("s.ckpt");
        RnnCheckpoints.save(m, vocab, Map.of("model.id", "t"), file);
        RnnCheckpoints.Loaded loaded = RnnCheckpoints.load(cpu, file);
        assertThat(loaded.model().config()).isEqualTo(m.config());
        assertThat(loaded.vocabulary().encode("the dog sat")).containsExactly(vocab.encode("the dog sat"));
        assertThat(loaded.model().step(loaded.model().initialState(), 3).output())
                .containsExactly(m.step(m.initialState(), 3).output());
    }

    @Test
    void tokenModelWithoutItsVocabularyIsRejected() {
        SequenceModel m = new SequenceModel(cpu, ModelConfig.tokens(CellType.GRU, 5, 4, 4, 1, 0f, 2, OutputType.MANY_TO_ONE), 1);
        Checkpoint c = RnnCheckpoints.toCheckpoint(m, null, Map.of());
        assertThatThrownBy(() -> RnnCheckpoints.fromCheckpoint(cpu, c))
                .isInstanceOf(CheckpointException.class).hasMessageContaining("vocabulary");
    }

    @Test
    void weightsOfAnotherHiddenSizeAreRejected() {
        SequenceModel small = new SequenceModel(cpu,
                ModelConfig.features(CellType.RNN, 3, 4, 1, 0f, 1, Task.REGRESSION, OutputType.MANY_TO_MANY), 1);
        SequenceModel big = new SequenceModel(cpu,
                ModelConfig.features(CellType.RNN, 3, 8, 1, 0f, 1, Task.REGRESSION, OutputType.MANY_TO_MANY), 1);
        Checkpoint mixed = Checkpoint.of(small.config().toJson(), Map.of(), big.store().values());
        assertThatThrownBy(() -> RnnCheckpoints.fromCheckpoint(cpu, mixed))
                .isInstanceOf(CheckpointException.class)
                .satisfies(e -> assertThat(((CheckpointException) e).reason()).isEqualTo(CheckpointException.Reason.SHAPE_MISMATCH));
    }
}
