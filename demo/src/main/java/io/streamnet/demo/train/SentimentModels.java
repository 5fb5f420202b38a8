package io.streamnet.demo.train;

import io.streamnet.engine.backend.Backends;
import io.streamnet.rnn.cell.CellType;
import io.streamnet.rnn.recipe.SentimentTask;
import io.streamnet.serving.model.ServedSequenceModel;
import java.nio.file.Files;
import java.nio.file.Path;

/** The demo's sentiment model: a cached checkpoint, or the offline recipe's GRU trained and written there. */
public final class SentimentModels {
    private SentimentModels() {
    }

    /**
     * The model at {@code ckpt}, or a GRU trained for {@code epochs} on the sentences in
     * {@code sentimentDir} and written there first.
     *
     * @throws IllegalArgumentException the checkpoint is not a sentiment model (token input, 2 classes)
     */
    public static ServedSequenceModel cachedOrTrained(Path ckpt, Path sentimentDir, int epochs) throws Exception {
        if (!Files.isRegularFile(ckpt)) {
            System.out.printf("no sentiment model at %s: training one (GRU, %d epochs) ...%n", ckpt, epochs);
            SentimentTask.Result r;
            try (LossProgress progress = new LossProgress("sentiment", epochs)) {
                r = SentimentTask.train(Backends.get(), sentimentDir,
                        new SentimentTask.Options(CellType.GRU, 32, 64, 1, 0f, epochs, 32, 3e-3f, 4000, 3),
                        progress::update);
            }
            System.out.printf("trained in %.1f s: validation accuracy %.4f, test accuracy %.4f%n", r.seconds(),
                    r.validationAccuracy(), r.testAccuracy());
            Files.createDirectories(ckpt.toAbsolutePath().getParent());
            r.save(ckpt);
        }
        ServedSequenceModel m = ServedSequenceModel.load(Backends.get(), Files.readAllBytes(ckpt), null, -1);
        if (!m.model().config().tokenInput() || m.model().config().outputSize() != 2) {
            throw new IllegalArgumentException(ckpt + " is not a sentiment model (token input, 2 classes)");
        }
        System.out.println("model: " + ckpt + " (" + m + ")");
        return m;
    }
}
