package io.streamnet.demo;

import java.nio.file.Path;

/**
 * What a demo run is told: the {@code streamnet demo} options, with the model paths already
 * resolved (a cached model is read from there, a trained one written there).
 *
 * @param model the sentiment checkpoint
 * @param epochs epochs when the sentiment model must be trained
 * @param rate replayed words per second
 * @param conversations conversations typed at once
 * @param webPort Flink Web UI port on 127.0.0.1 (0: any free one)
 * @param seconds stop after this long (0: run until stopped)
 * @param rolling also print the rolling score after every word
 * @param cameras cameras streaming Fashion-MNIST frames (0: no frames)
 * @param fps frames per second per camera
 * @param framesModel the frame model: CNN + smoother
 * @param cnnModel the CNN a missing frame model is made from (LeNet-5, trained when missing too)
 * @param cnnEpochs LeNet-5 epochs when no CNN is cached
 * @param dashboardPort the live dashboard's port on 127.0.0.1 (0: any free one)
 * @param metricsPort Prometheus metrics port on 127.0.0.1 (0: any free one, -1: off)
 * @param learn the stream learns sentiment from scratch ({@link LearningDemo}) instead
 * @param passes with {@code learn}: passes over the training split
 * @param trainRate with {@code learn}: training words per second
 */
public record DemoSettings(Path model, int epochs, double rate, int conversations, int webPort, long seconds,
                           boolean rolling, int cameras, double fps, Path framesModel, Path cnnModel, int cnnEpochs,
                           int dashboardPort, int metricsPort, boolean learn, int passes, double trainRate) {
}
