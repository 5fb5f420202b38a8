package io.streamnet.rnn.recipe;

import io.streamnet.engine.backend.Backend;
import io.streamnet.engine.nn.optim.Adam;
import io.streamnet.engine.nn.optim.LearningRateSchedule;
import io.streamnet.rnn.cell.CellType;
import io.streamnet.rnn.data.TextCorpus;
import io.streamnet.rnn.model.ModelConfig;
import io.streamnet.rnn.model.OutputType;
import io.streamnet.rnn.model.RnnCheckpoints;
import io.streamnet.rnn.model.SequenceModel;
import io.streamnet.rnn.model.TokenSampler;
import io.streamnet.rnn.text.Vocabulary;
import io.streamnet.rnn.train.SequenceBatch;
import io.streamnet.rnn.train.SequenceTrainer;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.Random;

/**
 * A many-to-many next-character model trained with truncated BPTT: the training text is cut into
 * parallel streams that are walked in windows, the state carried from window to window.
 */
public final class CharModelTask {
    private CharModelTask() {
    }

    public record Options(CellType cell, int embedding, int hidden, int layers, float dropout, int epochs,
                          int streams, int k1, int k2, float learningRate, int maxChars, long seed) {
        public Options {
            if (embedding <= 0 || hidden <= 0 || layers <= 0 || epochs <= 0 || streams <= 0 || k1 <= 0 || k2 < k1
                    || !(learningRate > 0f) || maxChars < 0) {
                throw new IllegalArgumentException("char-model options out of range: " + this);
            }
        }

        public static Options defaults(CellType cell) {
            return new Options(cell, 48, 256, 2, 0f, 3, 64, 64, 64, 2e-3f, 0, 1);
        }
    }

    /** Progress: characters trained so far in this epoch, the epoch's total, the last window loss. */
    public interface Listener {
        Listener NONE = (epoch, done, total, loss) -> { };

        void progress(int epoch, long charsDone, long charsTotal, float loss);
    }

    public record Result(SequenceModel model, Vocabulary vocabulary, double validationNatsPerChar, double seconds,
                         long trainedChars) {
        public Map<String, String> metadata() {
            return Map.of("task", "charlm", "model.id", "charlm-" + model.config().cell().name().toLowerCase(),
                    "validation.nats_per_char", String.format("%.4f", validationNatsPerChar));
        }

        public void save(Path path) throws IOException {
            RnnCheckpoints.save(model, vocabulary, metadata(), path);
        }
    }

    public static Result train(Backend backend, Path textFile, Options o, Listener listener) throws IOException {
        String text = TextCorpus.read(textFile);
        if (o.maxChars() > 0 && text.length() > o.maxChars()) {
            text = text.substring(0, o.maxChars());
        }
        String[] parts = TextCorpus.split(text, 0.9);
        Vocabulary vocab = Vocabulary.chars(text);
        SequenceModel model = new SequenceModel(backend, ModelConfig.tokens(o.cell(), vocab.size(), o.embedding(),
                o.hidden(), o.layers(), o.dropout(), vocab.size(), OutputType.MANY_TO_MANY), o.seed());
        int[][][] s = TextCorpus.streams(vocab.encode(parts[0]), o.streams());
        // Cosine decay to a tenth of the peak rate over all updates: the last epochs refine.
        long updates = (long) o.epochs() * ((s[0][0].length + o.k1() - 1) / o.k1());
        SequenceTrainer trainer = new SequenceTrainer(model, new Adam(backend,
                LearningRateSchedule.cosine(o.learningRate(), updates, o.learningRate() / 10)), 5f, o.seed());
        long perEpoch = (long) s[0].length * s[0][0].length;
        long t0 = System.nanoTime();
        Random rng = new Random(o.seed());
        for (int e = 0; e < o.epochs(); e++) {
            // A fresh random offset per epoch so window boundaries fall elsewhere each time.
            int shift = e == 0 ? 0 : rng.nextInt(o.k1());
            SequenceBatch batch = SequenceBatch.tokenSteps(shifted(s[0], shift), shifted(s[1], shift));
            int epoch = e;
            int rows = batch.size();
            trainer.trainTbptt(batch, o.k1(), o.k2(),
                    (done, total, loss) -> listener.progress(epoch, (long) done * rows, (long) total * rows, loss));
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        double val = natsPerChar(trainer, vocab, parts[1]);
        return new Result(model, vocab, val, seconds, perEpoch * o.epochs());
    }

    /** Mean cross-entropy per character (nats) of the model on {@code text}, read as 16 parallel streams. */
    public static double natsPerChar(SequenceTrainer trainer, Vocabulary vocab, String text) {
        int[][][] v = TextCorpus.streams(vocab.encode(text), 16);
        return trainer.streamLoss(SequenceBatch.tokenSteps(Arrays.asList(v[0]), Arrays.asList(v[1])), 128);
    }

    public static double evaluate(RnnCheckpoints.Loaded loaded, Path textFile) throws IOException {
        requireCharModel(loaded);
        return natsPerChar(new SequenceTrainer(loaded.model(), null, 0f, 0), loaded.vocabulary(),
                TextCorpus.read(textFile));
    }

    /** ONE_TO_MANY sampling: warm up on {@code prompt}, then draw {@code length} characters at {@code temperature}. */
    public static String sample(RnnCheckpoints.Loaded loaded, String prompt, int length, float temperature, long seed) {
        requireCharModel(loaded);
        int[] ids = TokenSampler.sample(loaded.model(), loaded.vocabulary().encode(prompt.isEmpty() ? "\n" : prompt),
                length, temperature, new Random(seed));
        return loaded.vocabulary().decode(ids);
    }

    private static void requireCharModel(RnnCheckpoints.Loaded loaded) {
        if (loaded.vocabulary() == null || !loaded.vocabulary().kind().equals("char")
                || loaded.model().config().outputType() != OutputType.MANY_TO_MANY) {
            throw new IllegalArgumentException("not a character model checkpoint");
        }
    }

    private static java.util.List<int[]> shifted(int[][] rows, int shift) {
        return Arrays.stream(rows).map(r -> Arrays.copyOfRange(r, shift, r.length)).toList();
    }
}
