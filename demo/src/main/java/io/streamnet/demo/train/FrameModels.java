package io.streamnet.demo.train;

import io.streamnet.cnn.train.FashionMnistCnn;
import io.streamnet.engine.backend.Backend;
import io.streamnet.datasets.DatasetLocator;
import io.streamnet.datasets.FashionMnist;
import io.streamnet.rnn.model.SequenceModel;
import io.streamnet.training.FrameSmoother;
import io.streamnet.serving.model.ServedFrameModel;
import io.streamnet.serving.model.ServedSequenceModel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Frame models for the demo and {@code streamnet train frames}: a CNN checkpoint (trained when
 * missing) plus a smoother trained for it.
 */
public final class FrameModels {
    /** Test-set videos the smoother is scored on: cameras x frames, seeded apart from the training videos. */
    public static final int EVAL_CAMERAS = 8;
    public static final int EVAL_FRAMES = 500;
    public static final long EVAL_SEED = 1_000;

    private FrameModels() {
    }

    /** A trained smoother and its scores on test-set videos. */
    public record Trained(ServedFrameModel model, FrameSmoother.Report report, double seconds) {
    }

    /** The CNN at {@code cnnPath}, or LeNet-5 trained for {@code cnnEpochs} and written there. */
    public static ServedFrameModel cnn(Path cnnPath, int cnnEpochs, Backend backend) throws IOException {
        if (!Files.isRegularFile(cnnPath)) {
            System.out.printf("no CNN at %s: training LeNet-5 (%d epochs) ...%n", cnnPath, cnnEpochs);
            FashionMnistCnn.Result r;
            try (LossProgress progress = new LossProgress("lenet5", cnnEpochs)) {
                r = FashionMnistCnn.train("lenet5", cnnEpochs, 64, 2e-3f, 1, new FashionMnistCnn.ProgressListener() {
                    @Override
                    public void batchDone(int epoch, int b, int perEpoch, float loss) {
                        progress.update(epoch, b + 1, perEpoch, loss);
                    }
                });
            }
            System.out.printf("LeNet-5: test accuracy %.4f, %.1f s%n", r.testAccuracy(), r.seconds());
            Files.createDirectories(cnnPath.toAbsolutePath().getParent());
            r.writeCheckpoint(cnnPath);
        }
        return ServedFrameModel.load(backend, Files.readAllBytes(cnnPath), null, -1);
    }

    /** Trains a smoother for {@code cnn} on training-set videos and scores both on test-set videos. */
    public static Trained withSmoother(ServedFrameModel cnn, FrameSmoother.Settings settings, String modelId,
                                       Backend backend) throws IOException {
        DatasetLocator data = DatasetLocator.standard();
        long t0 = System.nanoTime();
        SequenceModel smoother = FrameSmoother.train(cnn, FashionMnist.loadTrain(data), settings, backend);
        ServedFrameModel untested = ServedFrameModel.of(backend, cnn.cnn(), smoother, Map.of(), modelId, 1);
        FrameSmoother.Report report = FrameSmoother.evaluate(untested, FrameSmoother.videos(FashionMnist.loadTest(data),
                EVAL_CAMERAS, EVAL_FRAMES, settings.video(), EVAL_SEED), backend);
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put(ServedSequenceModel.META_ID, modelId);
        meta.put(ServedSequenceModel.META_VERSION, "1");
        meta.put("dataset", "fashion-mnist videos (runs " + settings.video().minRun() + "-" + settings.video().maxRun()
                + ", noise " + settings.video().noise() + ")");
        meta.put("per_frame_accuracy", String.format(Locale.ROOT, "%.4f", report.perFrameAccuracy()));
        meta.put("smoothed_accuracy", String.format(Locale.ROOT, "%.4f", report.smoothedAccuracy()));
        meta.put("eval_frames", Integer.toString(report.frames()));
        ServedFrameModel m = ServedFrameModel.of(backend, cnn.cnn(), smoother, meta, modelId, 1);
        return new Trained(m, report, (System.nanoTime() - t0) / 1e9);
    }

    /** The frame model at {@code path}, or one made (CNN + smoother) and written there. */
    public static ServedFrameModel cachedOrTrained(Path path, Path cnnPath, int cnnEpochs, Backend backend)
            throws IOException {
        if (!Files.isRegularFile(path)) {
            System.out.printf("no frame model at %s: training a smoother for %s ...%n", path, cnnPath);
            Trained t = withSmoother(cnn(cnnPath, cnnEpochs, backend), FrameSmoother.Settings.standard(), "frames",
                    backend);
            System.out.printf("smoother trained in %.1f s; test videos: %s%n", t.seconds(), t.report());
            Files.createDirectories(path.toAbsolutePath().getParent());
            Files.write(path, t.model().checkpoint());
        }
        return ServedFrameModel.load(backend, Files.readAllBytes(path), null, -1);
    }
}
