package io.streamnet.serving.training;

import io.streamnet.engine.checkpoint.CheckpointException;
import io.streamnet.engine.checkpoint.Checkpoints;
import io.streamnet.engine.nn.Parameter;
import io.streamnet.rnn.model.RnnCheckpoints;
import io.streamnet.rnn.model.SequenceModel;
import io.streamnet.rnn.text.Vocabulary;
import io.streamnet.rnn.train.SequenceTrainer;
import io.streamnet.schemas.ModelUpdate;
import io.streamnet.serving.model.ModelUpdates;
import io.streamnet.serving.model.ServedModel;
import java.util.List;
import java.util.Map;

/**
 * The one owner of a model trained online: gradients from the training subtasks pass the
 * {@link GradientGate}, are summed, and every {@code gradientsPerUpdate} accepted ones the sum is
 * applied (clipping by global norm and the optimizer, both the trainer's) and the model leaves as
 * the next version: a {@link ModelUpdate} whose metrics name its parent version, the windows and the
 * mean loss it learned from. The version counter starts at the served model's version.
 */
public final class ModelOwner {
    private final String modelId;
    private final SequenceModel model;
    private final Vocabulary vocabulary;
    private final SequenceTrainer trainer;
    private final GradientGate gate;
    private final int gradientsPerUpdate;
    private final float[][] sum;
    private int pending;
    private int pendingWindows;
    private double pendingLoss;
    private long version;

    public ModelOwner(String modelId, long version, SequenceModel model, Vocabulary vocabulary, SequenceTrainer trainer,
                      GradientGate gate, int gradientsPerUpdate) {
        if (gradientsPerUpdate < 1) {
            throw new IllegalArgumentException("gradients per update must be positive, got " + gradientsPerUpdate);
        }
        this.modelId = modelId;
        this.version = version;
        this.model = model;
        this.vocabulary = vocabulary;
        this.trainer = trainer;
        this.gate = gate;
        this.gradientsPerUpdate = gradientsPerUpdate;
        List<Parameter> params = model.parameters();
        this.sum = new float[params.size()][];
        for (int i = 0; i < sum.length; i++) {
            sum[i] = new float[params.get(i).value().size()];
        }
    }

    public long version() {
        return version;
    }

    public GradientGate gate() {
        return gate;
    }

    /**
     * Takes a gradient; returns the next version's update when this one completes a batch of
     * {@code gradientsPerUpdate} accepted gradients, else null.
     */
    public ModelUpdate offer(Gradient g) throws CheckpointException {
        if (g.values().length != sum.length) {
            throw new IllegalArgumentException("gradient of " + g.values().length + " parameters for a model of "
                    + sum.length);
        }
        if (gate.judge(g, version) != GradientGate.Verdict.ACCEPTED) {
            return null;
        }
        for (int i = 0; i < sum.length; i++) {
            float[] s = sum[i];
            float[] v = g.values()[i];
            for (int j = 0; j < s.length; j++) {
                s[j] += v[j];
            }
        }
        pending++;
        pendingWindows += g.windows();
        pendingLoss += g.lossSum();
        return pending >= gradientsPerUpdate ? publish() : null;
    }

    /** Applies the summed gradient (the mean per window) and returns the new version as an update. */
    private ModelUpdate publish() throws CheckpointException {
        List<Parameter> params = model.parameters();
        for (int i = 0; i < sum.length; i++) {
            float[] grad = params.get(i).grad().data();
            int off = params.get(i).grad().offset();
            for (int j = 0; j < sum[i].length; j++) {
                grad[off + j] = sum[i][j] / pendingWindows;
                sum[i][j] = 0f;
            }
        }
        trainer.applyGradients();
        long parent = version;
        version++;
        byte[] checkpoint = Checkpoints.toBytes(RnnCheckpoints.toCheckpoint(model, vocabulary,
                Map.of(ServedModel.META_ID, modelId, ServedModel.META_VERSION, Long.toString(version))));
        ModelUpdate u = ModelUpdates.toUpdate(modelId, version, checkpoint, Map.of("parentVersion", (double) parent,
                "windows", (double) pendingWindows, "trainLoss", pendingLoss / pendingWindows));
        pending = 0;
        pendingWindows = 0;
        pendingLoss = 0;
        return u;
    }
}
