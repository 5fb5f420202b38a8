package io.streamnet.flink.sequence;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamnet.engine.checkpoint.Checkpoints;
import io.streamnet.engine.cpu.CpuBackend;
import io.streamnet.rnn.cell.CellType;
import io.streamnet.rnn.model.ModelConfig;
import io.streamnet.rnn.model.OutputType;
import io.streamnet.rnn.model.RnnCheckpoints;
import io.streamnet.rnn.model.SequenceModel;
import io.streamnet.rnn.state.RnnState;
import io.streamnet.rnn.text.Vocabulary;
import io.streamnet.schemas.Prediction;
import io.streamnet.serving.model.ServedSequenceModel;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Random conversations over a small vocabulary, a GRU sentiment model to serve them, and the
 * fault-free run to compare a faulted one with: rnn-core stepping each conversation word by word.
 * Used by the fault-injection tests (processes and brokers killed mid-run).
 */
final class ReplayedConversations {
    static final String[] WORDS = {"great", "phone", "works", "well", "bad", "battery", "broke", "fast", "screen",
        "love", "hate", "sound", "the", "a", "it", "is"};
    /** Conversations are 2..20 words: the replay sends word positions 0..19, one position after another. */
    static final int POSITIONS = 20;

    final Vocabulary vocab = Vocabulary.words(List.of(String.join(" ", WORDS)), 100, 1);
    final SequenceModel model = new SequenceModel(CpuBackend.instance(),
            ModelConfig.tokens(CellType.GRU, vocab.size(), 8, 16, 1, 0f, 2, OutputType.MANY_TO_ONE), 9);
    final ServedSequenceModel serving;
    final List<String[]> conversations = new ArrayList<>();
    final List<Integer> labels = new ArrayList<>();

    ReplayedConversations(int count, Random rnd) throws io.streamnet.engine.checkpoint.CheckpointException {
        serving = ServedSequenceModel.load(CpuBackend.instance(),
                Checkpoints.toBytes(RnnCheckpoints.toCheckpoint(model, vocab, Map.of())), "kill-model", 1);
        for (int c = 0; c < count; c++) {
            String[] w = new String[2 + rnd.nextInt(POSITIONS - 1)];
            for (int i = 0; i < w.length; i++) {
                w[i] = WORDS[rnd.nextInt(WORDS.length)];
            }
            conversations.add(w);
            labels.add(rnd.nextInt(2));
        }
    }

    /** Sends word position {@code position} of every conversation that long; returns how many words. */
    int produce(PipelineFixture f, int position) {
        return f.produceWords(conversations, labels, position, position + 1);
    }

    /** Exactly one committed prediction per conversation, none twice, each equal to the fault-free run's. */
    void assertSameAsFaultFreeRun(List<Prediction> got) {
        Map<String, Prediction> byKey = new HashMap<>();
        for (Prediction p : got) {
            assertThat(byKey.put(p.getKey(), p)).as("a second prediction for %s", p.getKey()).isNull();
        }
        assertThat(byKey).hasSize(conversations.size());
        for (int i = 0; i < conversations.size(); i++) {
            RnnState s = model.initialState();
            float[] want = null;
            for (String w : conversations.get(i)) {
                SequenceModel.StepResult r = model.step(s, vocab.id(w));
                s = r.state();
                want = r.output();
            }
            Prediction p = byKey.get("conv-" + i);
            assertThat(p.getProbabilities()).as("conv-%d", i).containsExactly(want[0], want[1]);
            assertThat(p.getTrueLabel()).isEqualTo(labels.get(i));
        }
    }
}
