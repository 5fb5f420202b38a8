package io.streamnet.demo.train;

import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/** A progress bar per epoch over some unit (sentences, characters) with the running mean loss and speed. */
public final class LossProgress implements AutoCloseable {
    private final String unit;
    private final int epochs;
    private ProgressBar bar;
    private int epoch = -1;
    private double lossSum;
    private long updates;

    public LossProgress(String unit, int epochs) {
        this.unit = unit;
        this.epochs = epochs;
    }

    /** Reports that {@code done} of {@code total} units of {@code epoch} are done, the last loss being {@code loss}. */
    public void update(int epoch, long done, long total, float loss) {
        if (epoch != this.epoch) {
            close();
            this.epoch = epoch;
            bar = new ProgressBarBuilder()
                    .setTaskName(String.format("epoch %d/%d", epoch + 1, epochs))
                    .setInitialMax(total)
                    .setUnit(" " + unit, 1)
                    .setStyle(ProgressBarStyle.ASCII)
                    .setUpdateIntervalMillis(250)
                    .setMaxRenderedLength(120)
                    .showSpeed()
                    .build();
            lossSum = 0;
            updates = 0;
        }
        lossSum += loss;
        updates++;
        bar.stepTo(done);
        bar.setExtraMessage(String.format(" loss %.4f", lossSum / updates));
    }

    @Override
    public void close() {
        if (bar != null) {
            bar.close();
            bar = null;
        }
    }
}
