package io.streamnet.cli.progress;

import io.streamnet.engine.nn.train.TrainingListener;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/** A progress bar per epoch, showing examples done, the running loss and throughput. */
public final class TrainingProgress implements TrainingListener, AutoCloseable {
    private final int epochs;
    private final long examplesPerEpoch;
    private ProgressBar bar;
    private double lossSum;
    private long seen;

    public TrainingProgress(int epochs, long examplesPerEpoch) {
        this.epochs = epochs;
        this.examplesPerEpoch = examplesPerEpoch;
    }

    @Override
    public void batchDone(int epoch, int batch, int batchesPerEpoch, float loss, int examples) {
        if (bar == null) {
            bar = new ProgressBarBuilder()
                    .setTaskName(String.format("epoch %d/%d", epoch + 1, epochs))
                    .setInitialMax(examplesPerEpoch)
                    .setUnit(" img", 1)
                    .setStyle(ProgressBarStyle.ASCII)
                    .setUpdateIntervalMillis(200)
                    .setMaxRenderedLength(120)
                    .showSpeed()
                    .build();
            lossSum = 0;
            seen = 0;
        }
        lossSum += (double) loss * examples;
        seen += examples;
        bar.stepBy(examples);
        bar.setExtraMessage(String.format(" loss %.4f", lossSum / seen));
    }

    @Override
    public void epochDone(int epoch, float meanLoss) {
        close();
    }

    @Override
    public void close() {
        if (bar != null) {
            bar.close();
            bar = null;
        }
    }
}
