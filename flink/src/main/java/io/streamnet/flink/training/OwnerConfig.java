package io.streamnet.flink.training;

import io.streamnet.engine.backend.Backend;
import io.streamnet.engine.nn.optim.Adam;
import io.streamnet.engine.nn.optim.LearningRateSchedule;
import io.streamnet.engine.nn.optim.Optimizer;
import io.streamnet.engine.nn.optim.Sgd;
import io.streamnet.training.OwnerPolicy;
import java.io.Serializable;
import java.time.Duration;

/**
 * What the model owner applies and publishes.
 *
 * @param optimizer    ADAM or SGD (with {@code momentum})
 * @param decayEvery   the learning rate is multiplied by {@code decayGamma} every this many steps (0: constant)
 * @param clipNorm     gradients clipped to this global norm (0: not clipped)
 * @param maxStaleness a gradient computed on a version more than this many behind is dropped (STALE)
 * @param spikeFactor  a gradient whose loss exceeds this times the running median is dropped (LOSS_SPIKE)
 * @param publishEvery a candidate at least this often while gradients arrive (besides every N of {@code policy})
 * @param signingKey   the PEM file of the Ed25519 private key the updates are signed with (null: unsigned), read
 *                     where the owner runs, in {@code open()}: the key itself never enters the job graph (which
 *                     the HA store persists) nor a checkpoint
 * @param ownerId      who publishes, written into every version (the job's group id, plus an instance id the
 *                     owner keeps in its state): a version of the model id that another owner published after
 *                     the one this job started from stops this one (two training jobs on one model)
 */
public record OwnerConfig(Kind optimizer, float learningRate, float momentum, float weightDecay, long decayEvery,
                          float decayGamma, float clipNorm, long maxStaleness, double spikeFactor, OwnerPolicy policy,
                          Duration publishEvery, String signingKey, String ownerId) implements Serializable {
    public enum Kind { ADAM, SGD }

    public OwnerConfig {
        if (optimizer == null || !(learningRate > 0) || !(momentum >= 0 && momentum < 1) || !(weightDecay >= 0)
                || decayEvery < 0 || !(decayGamma > 0 && decayGamma <= 1) || !(clipNorm >= 0) || maxStaleness < 0
                || !(spikeFactor > 1) || policy == null || publishEvery == null || publishEvery.toMillis() < 1
                || ownerId == null || ownerId.isBlank()) {
            throw new IllegalArgumentException("invalid model owner config: optimizer " + optimizer + ", rate "
                    + learningRate + ", momentum " + momentum + ", decay " + weightDecay + ", every " + decayEvery
                    + " x" + decayGamma + ", clip " + clipNorm + ", staleness " + maxStaleness + ", spike "
                    + spikeFactor + ", publish every " + publishEvery + ", owner " + ownerId);
        }
    }

    public Optimizer newOptimizer(Backend backend) {
        LearningRateSchedule schedule = decayEvery == 0 ? LearningRateSchedule.constant(learningRate)
                : LearningRateSchedule.step(learningRate, decayEvery, decayGamma);
        return optimizer == Kind.ADAM ? new Adam(backend, schedule, 0.9f, 0.999f, 1e-8f, weightDecay)
                : new Sgd(backend, schedule, momentum, weightDecay);
    }
}
