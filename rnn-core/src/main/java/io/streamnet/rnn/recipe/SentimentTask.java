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

    /**
     * @param weightDecay      Adam's L2 weight decay (0: none)
     * @param embeddingDropout dropout on the embedded words while training (0: none)
     */
    public record Options(CellType cell, int embedding, int hidden, int layers, float dropout, int epochs, int batch,
                          float learningRate, int maxVocabulary, long seed, float weightDecay, float embeddingDropout) {
        public Options {
            if (embedding <= 0 || hidden <= 0 || layers <= 0 || epochs <= 0 || batch <= 0 || maxVocabulary < 2
                    || !(learningRate > 0f) || !(weightDecay >= 0f) || !(embeddingDropout >= 0f && embeddingDropout < 1f)) {
                throw new IllegalArgumentException("sentiment options must be positive: " + this);
            }
        }

        public Options(CellType cell, int embedding, int hidden, int layers, float dropout, int epochs, int batch,
                       float learningRate, int maxVocabulary, long seed, float weightDecay) {
            this(cell, embedding, hidden, layers, dropout, epochs, batch, learningRate, maxVocabulary, seed, weightDecay,
                    0f);
        }

        public Options(CellType cell, int embedding, int hidden, int layers, float dropout, int epochs, int batch,
                       float learningRate, int maxVocabulary, long seed) {
            this(cell, embedding, hidden, layers, dropout, epochs, batch, learningRate, maxVocabulary, seed, 0f);
        }

        public static Options defaults(CellType cell) {
            return new Options(cell, 32, 64, 1, 0f, 6, 32, 3e-3f, 4000, 3);
        }
    }

    /** @param epochs the epochs trained (with early stopping: those of the best validation accuracy) */
    public record Result(SequenceModel model, Vocabulary vocabulary, int trainSize, double validationAccuracy,
                         double testAccuracy, double seconds, int epochs) {
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
        return train(backend, SentimentDataset.split(SentimentDataset.loadAll(dataDir), 0.7, 0.15, SPLIT_SEED), o,
                0, listener);
    }

    /**
     * Trains on {@code split.train()}; with {@code patience > 0}, up to {@code o.epochs()} epochs with
     * early stopping: after each epoch the validation accuracy is measured, the best weights are kept,
     * and training stops after {@code patience} epochs without a better one (the best are restored).
     */
    public static Result train(Backend backend, SentimentDataset.Split split, Options o, int patience,
                               SequenceClassification.Listener listener) {
        Vocabulary vocab = Vocabulary.words(split.train().stream().map(LabelledSentence::text).toList(),
                o.maxVocabulary(), 1);
        SequenceModel model = new SequenceModel(backend, ModelConfig.tokens(o.cell(), vocab.size(), o.embedding(),
                o.hidden(), o.layers(), o.dropout(), 2, OutputType.MANY_TO_ONE), o.seed());
        SequenceTrainer trainer = new SequenceTrainer(model,
                new Adam(backend, LearningRateSchedule.constant(o.learningRate()), 0.9f, 0.999f, 1e-8f, o.weightDecay()),
                5f, o.seed()).withEmbeddingDropout(o.embeddingDropout());
        long t0 = System.nanoTime();
        List<int[]> train = encode(vocab, split.train());
        List<int[]> valSeqs = encode(vocab, split.validation());
        int[] valLabels = labels(split.validation());
        double val;
        int bestEpochs = o.epochs();
        if (patience <= 0) {
            SequenceClassification.fit(trainer, train, labels(split.train()), o.epochs(), o.batch(), o.seed(), listener);
            val = valSeqs.isEmpty() ? Double.NaN : SequenceClassification.accuracy(trainer, valSeqs, valLabels, 64);
        } else {
            val = -1;
            Map<String, float[]> best = null;
            int since = 0;
            for (int e = 0; e < o.epochs() && since < patience; e++) {
                SequenceClassification.fit(trainer, train, labels(split.train()), 1, o.batch(), o.seed() * 31 + e,
                        listener);
                double acc = SequenceClassification.accuracy(trainer, valSeqs, valLabels, 64);
                if (acc > val) {
                    val = acc;
                    best = snapshot(model);
                    bestEpochs = e + 1;
                    since = 0;
                } else {
                    since++;
                }
            }
            restore(model, best);
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        double test = SequenceClassification.accuracy(trainer, encode(vocab, split.test()), labels(split.test()), 64);
        return new Result(model, vocab, split.train().size(), val, test, seconds, bestEpochs);
    }

    /** Test accuracies of k-fold cross-validation, with their mean and spread. */
    public record CrossValidation(double[] test, double[] validation) {
        public double mean() {
            return java.util.Arrays.stream(test).average().orElse(Double.NaN);
        }

        public double meanValidation() {
            return java.util.Arrays.stream(validation).average().orElse(Double.NaN);
        }

        /** Sample standard deviation of the folds' test accuracies. */
        public double std() {
            double m = mean();
            return Math.sqrt(java.util.Arrays.stream(test).map(a -> (a - m) * (a - m)).sum() / Math.max(1, test.length - 1));
        }

        public double min() {
            return java.util.Arrays.stream(test).min().orElse(Double.NaN);
        }

        public double max() {
            return java.util.Arrays.stream(test).max().orElse(Double.NaN);
        }
    }

    /**
     * As {@link #train(Backend, SentimentDataset.Split, Options, int, SequenceClassification.Listener)},
     * then a final fit: a fresh model trained on train + validation for the epochs early stopping
     * chose, scored on the test set (what ships is trained on all the data it may see).
     */
    public static Result trainThenRefit(Backend backend, SentimentDataset.Split split, Options o, int patience,
                                        SequenceClassification.Listener listener) {
        Result chosen = train(backend, split, o, patience, listener);
        List<LabelledSentence> all = new java.util.ArrayList<>(split.train());
        all.addAll(split.validation());
        Options fixed = new Options(o.cell(), o.embedding(), o.hidden(), o.layers(), o.dropout(), chosen.epochs(),
                o.batch(), o.learningRate(), o.maxVocabulary(), o.seed(), o.weightDecay(), o.embeddingDropout());
        Result r = train(backend, new SentimentDataset.Split(all, List.of(), split.test()), fixed, 0, listener);
        return new Result(r.model(), r.vocabulary(), r.trainSize(), chosen.validationAccuracy(), r.testAccuracy(),
                chosen.seconds() + r.seconds(), chosen.epochs());
    }

    /**
     * k-fold cross-validation of the recipe: each fold in turn is the test set; of the others, a
     * stratified 15% is the validation set (early stopping with {@code patience > 0}) and the rest
     * trains; with {@code refit}, the final model is then trained on both for the chosen epochs.
     * Folds and splits come from fixed seeds, so a run is repeatable.
     */
    public static CrossValidation crossValidate(Backend backend, List<LabelledSentence> all, Options o, int k,
                                                int patience, long seed) {
        return crossValidate(backend, all, o, k, patience, false, seed);
    }

    public static CrossValidation crossValidate(Backend backend, List<LabelledSentence> all, Options o, int k,
                                                int patience, boolean refit, long seed) {
        List<List<LabelledSentence>> folds = SentimentDataset.folds(all, k, seed);
        double[] test = new double[k];
        double[] val = new double[k];
        for (int f = 0; f < k; f++) {
            List<LabelledSentence> rest = new java.util.ArrayList<>();
            for (int g = 0; g < k; g++) {
                if (g != f) {
                    rest.addAll(folds.get(g));
                }
            }
            SentimentDataset.Split inner = SentimentDataset.split(rest, 0.85, 0.15, seed + f);
            List<LabelledSentence> train = new java.util.ArrayList<>(inner.train());
            train.addAll(inner.test()); // the split's rounding leftovers
            SentimentDataset.Split split = new SentimentDataset.Split(train, inner.validation(), folds.get(f));
            Result r = refit ? trainThenRefit(backend, split, o, patience, SequenceClassification.Listener.NONE)
                    : train(backend, split, o, patience, SequenceClassification.Listener.NONE);
            test[f] = r.testAccuracy();
            val[f] = r.validationAccuracy();
        }
        return new CrossValidation(test, val);
    }

    private static Map<String, float[]> snapshot(SequenceModel m) {
        Map<String, float[]> s = new java.util.LinkedHashMap<>();
        m.store().values().forEach((name, t) -> s.put(name, t.toArray()));
        return s;
    }

    private static void restore(SequenceModel m, Map<String, float[]> s) {
        if (s == null) {
            return;
        }
        m.store().values().forEach((name, t) -> System.arraycopy(s.get(name), 0, t.data(), t.offset(), t.size()));
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
