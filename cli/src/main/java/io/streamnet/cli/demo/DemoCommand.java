package io.streamnet.cli.demo;

import io.streamnet.cli.train.Models;
import io.streamnet.demo.Demo;
import io.streamnet.demo.DemoPreflight;
import io.streamnet.demo.DemoSettings;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code streamnet demo}: its options, with the default model paths under the model cache, handed
 * to the demo module's {@link Demo} as {@link DemoSettings}.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Embedded Kafka + the sequence and frame jobs on a local Flink cluster (Web UI) + live "
                + "sentiment conversations and camera frames replayed from real data; prints predictions until Ctrl-C.")
public final class DemoCommand implements Callable<Integer> {
    @Option(names = "--model", description = "Sentiment checkpoint (default ~/.cache/streamnet/models/sentiment-gru.ckpt, trained if missing).")
    Path model;

    @Option(names = "--epochs", defaultValue = "6", description = "Epochs when the model must be trained (default ${DEFAULT-VALUE}).")
    int epochs;

    @Option(names = "--rate", defaultValue = "40", description = "Replayed words per second (default ${DEFAULT-VALUE}).")
    double rate;

    @Option(names = "--conversations", defaultValue = "8", description = "Conversations typed at once (default ${DEFAULT-VALUE}).")
    int concurrent;

    @Option(names = "--web-port", defaultValue = "8081", description = "Flink Web UI port on 127.0.0.1 (0: any free one; default ${DEFAULT-VALUE}).")
    int webPort;

    @Option(names = "--seconds", defaultValue = "0", description = "Stop after this long (0: run until Ctrl-C).")
    long seconds;

    @Option(names = "--rolling", description = "Also print the rolling score after every word (the dashboard charts it either way).")
    boolean rolling;

    @Option(names = "--cameras", defaultValue = "3", description = "Cameras streaming Fashion-MNIST frames (0: no frames; default ${DEFAULT-VALUE}).")
    int cameras;

    @Option(names = "--fps", defaultValue = "1", description = "Frames per second per camera (default ${DEFAULT-VALUE}).")
    double fps;

    @Option(names = "--frames-model", description = "Frame model: CNN + smoother (default ~/.cache/streamnet/models/frames.ckpt, made if missing).")
    Path framesModel;

    @Option(names = "--cnn-epochs", defaultValue = "3", description = "LeNet-5 epochs when no CNN is cached (default ${DEFAULT-VALUE}).")
    int cnnEpochs;

    @Option(names = "--dashboard-port", defaultValue = "8090", description = "The live dashboard's port on 127.0.0.1 (0: any free one; default ${DEFAULT-VALUE}).")
    int dashboardPort;

    @Option(names = "--metrics-port", defaultValue = "9249", description = "Prometheus metrics port on 127.0.0.1 (0: any free one, -1: off; default ${DEFAULT-VALUE}).")
    int metricsPort;

    @Option(names = "--learn", description = "The stream learns sentiment from scratch: an untrained model, the "
            + "training job on the training split's conversations, the inference job on the test split picking up each version.")
    boolean learn;

    @Option(names = "--passes", defaultValue = "10", description = "With --learn: passes over the training split (default ${DEFAULT-VALUE}).")
    int passes;

    @Option(names = "--train-rate", defaultValue = "2000", description = "With --learn: training words per second (default ${DEFAULT-VALUE}).")
    double trainRate;

    /** Where the preflight finds the datasets; tests set their own. */
    DemoPreflight.Sources sources = DemoPreflight.Sources.standard();

    @Override
    public Integer call() throws Exception {
        return new Demo(settings(), sources).run();
    }

    private DemoSettings settings() {
        return new DemoSettings(model != null ? model : Models.defaultPath("sentiment-gru.ckpt"), epochs, rate,
                concurrent, webPort, seconds, rolling, cameras, fps,
                framesModel != null ? framesModel : Models.defaultPath("frames.ckpt"), Models.defaultPath("lenet5.ckpt"),
                cnnEpochs, dashboardPort, metricsPort, learn, passes, trainRate);
    }
}
