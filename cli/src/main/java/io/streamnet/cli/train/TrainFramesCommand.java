package io.streamnet.cli.train;

import io.streamnet.demo.train.FrameModels;
import io.streamnet.engine.backend.Backend;
import io.streamnet.engine.backend.Backends;
import io.streamnet.datasets.FrameVideo;
import io.streamnet.training.FrameSmoother;
import io.streamnet.serving.model.ServedFrameModel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** Trains the CNN -> RNN smoother of the frame job for a trained CNN and scores it on test-set videos. */
@Command(name = "frames", mixinStandardHelpOptions = true,
        description = "Train the per-camera smoother (GRU over CNN features) for a CNN on videos of Fashion-MNIST "
                + "training images; report per-frame vs smoothed accuracy on test-set videos; write the frame model.")
public final class TrainFramesCommand implements Callable<Integer> {
    @Option(names = "--cnn", description = "CNN checkpoint (default ~/.cache/streamnet/models/lenet5.ckpt; LeNet-5 trained if missing).")
    Path cnn;

    @Option(names = "--cnn-epochs", defaultValue = "10", description = "Epochs when LeNet-5 must be trained (default ${DEFAULT-VALUE}).")
    int cnnEpochs;

    @Option(names = "--videos", defaultValue = "256", description = "Training videos (default ${DEFAULT-VALUE}).")
    int videos;

    @Option(names = "--length", defaultValue = "64", description = "Frames per training video (default ${DEFAULT-VALUE}).")
    int length;

    @Option(names = "--hidden", defaultValue = "32", description = "GRU hidden size (default ${DEFAULT-VALUE}).")
    int hidden;

    @Option(names = "--epochs", defaultValue = "12", description = "Smoother epochs (default ${DEFAULT-VALUE}).")
    int epochs;

    @Option(names = "--noise", defaultValue = "0.3", description = "Pixel noise (std. dev., fraction of the range; default ${DEFAULT-VALUE}).")
    float noise;

    @Option(names = "--id", defaultValue = "frames", description = "Model id (default ${DEFAULT-VALUE}).")
    String id;

    @Option(names = "--out", description = "Frame model path (default ~/.cache/streamnet/models/frames.ckpt).")
    Path out;

    @Override
    public Integer call() throws Exception {
        FrameSmoother.Settings s;
        try {
            FrameSmoother.Settings d = FrameSmoother.Settings.standard();
            s = new FrameSmoother.Settings(videos, length, hidden, epochs, d.batch(), d.lr(),
                    new FrameVideo.Spec(d.video().minRun(), d.video().maxRun(), noise), d.seed());
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            return 2;
        }
        Backend backend = Backends.get();
        ServedFrameModel c = FrameModels.cnn(cnn != null ? cnn : Models.defaultPath("lenet5.ckpt"), cnnEpochs, backend);
        System.out.println("cnn: " + c);
        FrameModels.Trained t = FrameModels.withSmoother(c, s, id, backend);
        System.out.printf("smoother: GRU %d over %d features, %d videos x %d frames, %d epochs, %.1f s%n", hidden,
                c.featureSize(), videos, length, epochs, t.seconds());
        System.out.printf("test-set videos (%d cameras x %d frames): per-frame accuracy %.4f, smoothed %.4f%n",
                FrameModels.EVAL_CAMERAS, FrameModels.EVAL_FRAMES, t.report().perFrameAccuracy(),
                t.report().smoothedAccuracy());
        Path target = out != null ? out : Models.defaultPath("frames.ckpt");
        Files.createDirectories(target.toAbsolutePath().getParent());
        Files.write(target, t.model().checkpoint());
        System.out.println("frame model: " + target);
        return 0;
    }
}
