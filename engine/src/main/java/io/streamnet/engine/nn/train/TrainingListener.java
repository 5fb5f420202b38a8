package io.streamnet.engine.nn.train;

/** Progress callbacks from {@link ClassifierTrainer} (e.g. a progress bar). */
public interface TrainingListener {
    TrainingListener NONE = new TrainingListener() {
    };

    default void batchDone(int epoch, int batch, int batchesPerEpoch, float loss, int examples) {
    }

    default void epochDone(int epoch, float meanLoss) {
    }
}
