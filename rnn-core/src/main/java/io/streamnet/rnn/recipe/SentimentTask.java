package io.streamnet.rnn.recipe;

import io.streamnet.engine.backend.Backend;
import io.streamnet.engine.nn.optim.Adam;
import io.streamnet.engine.nn.optim.LearningRateSchedule;
import io.streamnet.rnn.cell.CellType;
import io.streamnet.rnn.data.LabelledSentence;
import io.streamnet.rnn.data.SentimentDataset;
import io.streamnet.rnn.model.ModelConfig;
import io.streamnet.rnn.model.OutputType;
import io.streamnet.rnn.model.RnnCheckpoints;
import io.streamnet.rnn.model.SequenceModel;
import io.streamnet.rnn.text.Vocabulary;
import io.streamnet.rnn.train.SequenceClassification;
import io.streamnet.rnn.train.SequenceTrainer;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Many-to-one sentiment on the UCI sentences: a word vocabulary from the training split, an
 * embedding, a recurrent stack and a 2-way softmax; scored on the fixed-seed validation and test
 * splits (70/15/15, stratified by source and label).
 */
public final class SentimentTask {
    public static final long SPLIT_SEED = 7;

    private SentimentTask() {
    }

    public record Options(CellType cell, int embedding, int hidden, int layers, float dropout, int epochs, int batch,
                          float learningRate, int maxVocabulary, long seed) {
        public Options {
            if (embedding <= 0 || hidden <= 0 || layers <= 0 || epochs <= 0 || batch <= 0 || maxVocabulary < 2
                    || !(learningRate > 0f)) {
                throw new IllegalArgumentException("sentiment options must be positive: " + this);
            }
        }

        public static Options defaults(CellType cell) {
            return new Options(cell, 32, 64, 1, 0f, 6, 32, 3e-3f, 4000, 3);
        }
    }

    public record Result(SequenceModel model, Vocabulary vocabulary, int trainSize, double validationAccuracy,
                         double testAccuracy, double seconds) {
        public Map<String, String> metadata() {
            return Map.of("task", "sentiment", "model.id", "sentiment-" + model.config().cell().name().toLowerCase(),
                    "validation.accuracy", String.format("%.4f", validationAccuracy),
                    "test.accuracy", String.format("%.4f", testAccuracy));
        }

        public void save(Path path) throws IOException {
            RnnCheckpoints.save(model, vocabulary, metadata(), path);
        }
    }

    public static Result train(Backend backend, Path dataDir, Options o, SequenceClassification.Listener listener)
            throws IOException {
        SentimentDataset.Split split = SentimentDataset.split(SentimentDataset.loadAll(dataDir), 0.7, 0.15, SPLIT_SEED);
        Vocabulary vocab = Vocabulary.words(split.train().stream().map(LabelledSentence::text).toList(),
                o.maxVocabulary(), 1);
        SequenceModel model = new SequenceModel(backend, ModelConfig.tokens(o.cell(), vocab.size(), o.embedding(),
                o.hidden(), o.layers(), o.dropout(), 2, OutputType.MANY_TO_ONE), o.seed());
        SequenceTrainer trainer = new SequenceTrainer(model,
                new Adam(backend, LearningRateSchedule.constant(o.learningRate())), 5f, o.seed());
        long t0 = System.nanoTime();
        SequenceClassification.fit(trainer, encode(vocab, split.train()), labels(split.train()), o.epochs(), o.batch(),
                o.seed(), listener);
        double seconds = (System.nanoTime() - t0) / 1e9;
        double val = SequenceClassification.accuracy(trainer, encode(vocab, split.validation()),
                labels(split.validation()), 64);
        double test = SequenceClassification.accuracy(trainer, encode(vocab, split.test()), labels(split.test()), 64);
        return new Result(model, vocab, split.train().size(), val, test, seconds);
    }

    /** Accuracy of a loaded sentiment checkpoint on a file of {@code sentence TAB label} lines. */
    public static double evaluate(RnnCheckpoints.Loaded loaded, Path file) throws IOException {
        if (loaded.vocabulary() == null || loaded.model().config().outputType() != OutputType.MANY_TO_ONE) {
            throw new IllegalArgumentException("not a sentiment checkpoint (needs a token MANY_TO_ONE model)");
        }
        List<LabelledSentence> data = SentimentDataset.read(file, file.getFileName().toString());
        SequenceTrainer trainer = new SequenceTrainer(loaded.model(), null, 0f, 0);
        return SequenceClassification.accuracy(trainer, encode(loaded.vocabulary(), data), labels(data), 64);
    }

    static List<int[]> encode(Vocabulary vocab, List<LabelledSentence> data) {
        return data.stream().map(s -> vocab.encode(s.text())).toList();
    }

    static int[] labels(List<LabelledSentence> data) {
        return data.stream().mapToInt(LabelledSentence::label).toArray();
    }
}
