package io.streamnet.training;

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
import io.streamnet.serving.model.UpdateHeader;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one owner of a model trained online. Each gradient from the training subtasks passes the
 * {@link GradientGate} and is applied at once (its mean per window; clipping and the optimizer are
 * the trainer's). Every {@code gradientsPerUpdate} applied gradients (or when the runtime's timer
 * asks) the weights are a candidate: scored on the {@link HeldOutSet} beside the serving model
 * (the champion), promoted as the next version if it scores at least the champion's minus the
 * margin, else refused and the weights go back to the champion's. After a promotion the next
 * {@code rollbackWindow} held-out sequences judge it live: scoring below its parent by more than
 * the rollback margin republishes the parent's weights as a new version.
 *
 * <p>Versions only go up; every published update names its parent and carries its score, the
 * champion's, the slice size, the windows and loss it learned from. All of it (weights, optimizer
 * state, version, champion, parent, held-out set, gate history) is {@link #snapshot()}: a runtime
 * checkpoints it and {@link #restore}s exactly.
 */
public final class ModelOwner {
    /** What a gradient, a held-out sequence or the timer led to. */
    public sealed interface Outcome permits Published, CandidateRejected, RolledBack, OwnerConflict {
    }

    /**
     * Gradients came computed on a version of this model id that another owner published after the
     * one this owner started from: two jobs train the model, and their versions would interleave.
     * This owner stops (nothing more is applied or published) and says so once.
     */
    public record OwnerConflict(String modelId, String owner, String other, long version) implements Outcome {
        public String detail() {
            return "model " + modelId + " v" + version + " was published by training job '" + other + "', not by this "
                    + "one ('" + owner + "'): two training jobs own this model id; this one stops publishing. Stop one "
                    + "of them, or give each its own model id";
        }
    }

    /** A candidate became version {@code update.version}. */
    public record Published(ModelUpdate update) implements Outcome {
        @Override
        public String toString() {
            return "Published[" + update.getModelId() + " v" + update.getVersion() + " " + update.getMetrics() + "]";
        }
    }

    /** A candidate scored too low against the serving version; nothing was published. */
    public record CandidateRejected(String modelId, long servingVersion, double score, double championScore,
                                    int heldOut, int windows) implements Outcome {
        public String detail() {
            return String.format("candidate after version %d scored %.4f on %d held-out sequences, the serving model "
                    + "%.4f: not promoted (%d windows discarded)", servingVersion, score, heldOut, championScore, windows);
        }
    }

    /** The promoted version scored below its parent live: the parent's weights are republished as {@code update}. */
    public record RolledBack(ModelUpdate update, long from, double liveScore, double parentScore) implements Outcome {
        @Override
        public String toString() {
            return "RolledBack[v" + from + " -> v" + update.getVersion() + ", live " + liveScore + " < parent "
                    + parentScore + "]";
        }
    }

    private static final Logger LOG = LoggerFactory.getLogger(ModelOwner.class);

    /** Checkpoint metadata: the owner (training job) that published the version. */
    public static final String META_OWNER = "trainedByOwner";

    private final String modelId;
    private final SequenceModel model;
    /** The same architecture, to score the champion and its parent without touching {@link #model}. */
    private final SequenceModel scratch;
    private final Vocabulary vocabulary;
    private final SequenceTrainer trainer;
    private final GradientGate gate;
    private final OwnerPolicy policy;
    private final HeldOutSet heldOut;
    /** The version this owner was built from: versions above it that it did not publish mean another owner. */
    private final long startVersion;
    /** Who publishes (written into every version's metadata); null: not told, no conflict is detected. */
    private String ownerId;
    private OwnerConflict conflict;
    private boolean warnedLastVersion;

    private long version;
    private float[][] champion;
    private float[][] parent;
    private long parentVersion = -1;
    private int pending;
    private int pendingWindows;
    private double pendingLoss;
    private long oldestMs = Long.MAX_VALUE;
    private long newestMs;
    /** Held-out examples added when the champion was promoted; -1: no live judgement pending. */
    private long watchFrom = -1;
    private long rejected;
    private long rolledBack;

    /** An owner that promotes every {@code gradientsPerUpdate} gradients without a held-out slice. */
    public ModelOwner(String modelId, long version, SequenceModel model, Vocabulary vocabulary, SequenceTrainer trainer,
                      GradientGate gate, int gradientsPerUpdate) {
        this(modelId, version, model, vocabulary, trainer, gate, OwnerPolicy.unchallenged(gradientsPerUpdate));
    }

    public ModelOwner(String modelId, long version, SequenceModel model, Vocabulary vocabulary, SequenceTrainer trainer,
                      GradientGate gate, OwnerPolicy policy) {
        this.modelId = modelId;
        this.version = version;
        this.startVersion = version;
        this.model = model;
        this.vocabulary = vocabulary;
        this.trainer = trainer;
        this.gate = gate;
        this.policy = policy;
        this.heldOut = new HeldOutSet(policy.heldOutCapacity());
        this.scratch = new SequenceModel(model.backend(), model.config(), 0);
        this.champion = weights(model);
    }

    public long version() {
        return version;
    }

    /** Names this owner in the versions it publishes ({@link #META_OWNER}) and turns conflict detection on. */
    public ModelOwner ownedBy(String id) {
        this.ownerId = id;
        return this;
    }

    /** The conflict that stopped this owner, or null. */
    public OwnerConflict conflict() {
        return conflict;
    }

    public GradientGate gate() {
        return gate;
    }

    public HeldOutSet heldOut() {
        return heldOut;
    }

    /** Candidates refused so far. */
    public long rejected() {
        return rejected;
    }

    /** Rollbacks so far. */
    public long rolledBack() {
        return rolledBack;
    }

    /** Gradients applied since the last candidate. */
    public int pending() {
        return pending;
    }

    /** Takes a gradient: applied if the gate lets it through; a candidate is judged every N applied. */
    public Outcome offer(Gradient g) throws CheckpointException {
        return offer(g, null);
    }

    /**
     * As {@link #offer(Gradient)}, for a gradient computed on a version that {@code publishedBy} (its
     * {@link #META_OWNER}; null: unnamed, as a model published by hand) published. A version newer
     * than the start that another owner published stops this owner: {@link OwnerConflict}, once.
     */
    public Outcome offer(Gradient g, String publishedBy) throws CheckpointException {
        if (conflict != null) {
            return null;
        }
        if (atLastVersion()) {
            return null;
        }
        if (ownerId != null && publishedBy != null && !publishedBy.equals(ownerId) && g.version() > startVersion) {
            conflict = new OwnerConflict(modelId, ownerId, publishedBy, g.version());
            clearPending();
            return conflict;
        }
        List<Parameter> params = model.parameters();
        if (g.values().length != params.size()) {
            throw new IllegalArgumentException("gradient of " + g.values().length + " parameters for a model of "
                    + params.size());
        }
        // Staleness counts the versions between the weights a gradient was computed on and the ones it would move,
        // commit or not: while checkpoints lag (a backpressured burst) the owner may not walk on from old weights
        // (CI saw 29 versions applied from v1's gradients learn nothing); it pauses until the trainers catch up.
        if (g.windows() < 1 || gate.judge(g, version) != GradientGate.Verdict.ACCEPTED) {
            return null;
        }
        for (int i = 0; i < params.size(); i++) {
            float[] grad = params.get(i).grad().data();
            int off = params.get(i).grad().offset();
            float[] v = g.values()[i];
            if (v.length != params.get(i).value().size()) {
                throw new IllegalArgumentException("gradient " + i + " holds " + v.length + " values for a parameter of "
                        + params.get(i).value().size());
            }
            for (int j = 0; j < v.length; j++) {
                grad[off + j] = v[j] / g.windows();
            }
        }
        trainer.applyGradients();
        pending++;
        pendingWindows += g.windows();
        pendingLoss += g.lossSum();
        if (g.oldestMs() > 0) {
            oldestMs = Math.min(oldestMs, g.oldestMs());
        }
        newestMs = Math.max(newestMs, g.newestMs());
        return pending >= policy.gradientsPerUpdate() ? judgeCandidate() : null;
    }

    /** The runtime's timer: judges what was applied since the last candidate, if anything. */
    public Outcome publishDue() throws CheckpointException {
        return pending > 0 && conflict == null ? judgeCandidate() : null;
    }

    /** A sequence of a held-out key: kept to score candidates on, and to judge the last promotion live. */
    public Outcome offerHeldOut(HeldOutSet.Example e) throws CheckpointException {
        heldOut.add(e);
        if (conflict != null || atLastVersion() || watchFrom < 0 || parent == null || heldOut.added() - watchFrom < policy.rollbackWindow()) {
            return null;
        }
        watchFrom = -1;
        List<HeldOutSet.Example> live = heldOut.newest(policy.rollbackWindow());
        double liveScore = score(champion, live);
        double parentScore = score(parent, live);
        if (!(liveScore < parentScore - policy.rollbackMargin())) {
            return null;
        }
        long from = version;
        load(model, parent);
        champion = parent;
        parent = null;
        clearPending();
        rolledBack++;
        ModelUpdate u = update(Map.of("rolledBackFrom", (double) from, "parentVersion", (double) from,
                "score", parentScore, "championScore", liveScore, "heldOut", (double) live.size()));
        return new RolledBack(u, from, liveScore, parentScore);
    }

    /**
     * Versions end at {@link UpdateHeader#MAX_VERSION} (readers refuse higher ones): an owner there has
     * no next version to publish, so it learns nothing and rolls nothing back rather than fail on every
     * candidate (a runtime's timer would restart the job on it for good). Logged once.
     */
    private boolean atLastVersion() {
        if (version < UpdateHeader.MAX_VERSION) {
            return false;
        }
        if (!warnedLastVersion) {
            warnedLastVersion = true;
            LOG.error("model {} is at v{}, the highest version readers accept: this owner can publish no next version "
                    + "and stops training. Publish the model under a new model id to train it on", modelId, version);
        }
        return true;
    }

    private Outcome judgeCandidate() throws CheckpointException {
        double score = Double.NaN;
        double championScore = Double.NaN;
        int slice = heldOut.size();
        if (slice >= policy.minHeldOut()) {
            score = heldOut.score(model);
            championScore = score(champion, heldOut.newest(slice));
            if (score < championScore - policy.promotionMargin()) {
                CandidateRejected r = new CandidateRejected(modelId, version, score, championScore, slice,
                        pendingWindows);
                load(model, champion);
                clearPending();
                rejected++;
                return r;
            }
        }
        Map<String, Double> metrics = new LinkedHashMap<>();
        metrics.put("parentVersion", (double) version);
        metrics.put("windows", (double) pendingWindows);
        metrics.put("trainLoss", pendingLoss / pendingWindows);
        metrics.put("heldOut", (double) slice);
        // the optimizer's step count goes on across restores: a restart that lost its state would begin again
        metrics.put("optimizerSteps", (double) trainer.optimizerSteps());
        if (!Double.isNaN(score)) {
            metrics.put("score", score);
            metrics.put("championScore", championScore);
        }
        if (newestMs > 0) {
            metrics.put("learnedFromOldestMs", (double) oldestMs);
            metrics.put("learnedFromNewestMs", (double) newestMs);
        }
        parent = champion;
        parentVersion = version;
        champion = weights(model);
        clearPending();
        watchFrom = heldOut.added();
        return new Published(update(metrics));
    }

    /** The model's weights now as the next version. */
    private ModelUpdate update(Map<String, Double> metrics) throws CheckpointException {
        version++;
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put(ServedModel.META_ID, modelId);
        meta.put(ServedModel.META_VERSION, Long.toString(version));
        if (ownerId != null) {
            meta.put(META_OWNER, ownerId);
        }
        byte[] checkpoint = Checkpoints.toBytes(RnnCheckpoints.toCheckpoint(model, vocabulary, meta));
        return ModelUpdates.toUpdate(modelId, version, checkpoint, metrics);
    }

    private void clearPending() {
        pending = 0;
        pendingWindows = 0;
        pendingLoss = 0;
        oldestMs = Long.MAX_VALUE;
        newestMs = 0;
    }

    private double score(float[][] weights, List<HeldOutSet.Example> examples) {
        load(scratch, weights);
        return HeldOutSet.score(scratch, examples);
    }

    static float[][] weights(SequenceModel m) {
        List<Parameter> ps = m.parameters();
        float[][] w = new float[ps.size()][];
        for (int i = 0; i < w.length; i++) {
            w[i] = ps.get(i).value().toArray();
        }
        return w;
    }

    static void load(SequenceModel m, float[][] w) {
        List<Parameter> ps = m.parameters();
        for (int i = 0; i < w.length; i++) {
            var t = ps.get(i).value();
            System.arraycopy(w[i], 0, t.data(), t.offset(), w[i].length);
        }
    }

    // ---- checkpointed state ----

    /** Everything needed to continue exactly: see {@link OwnerState}. */
    public byte[] snapshot() {
        return OwnerState.write(new OwnerState(modelId, version, weights(model), champion, parent, parentVersion,
                trainer.optimizerSteps(), trainer.optimizerState(), gate.history(), heldOut.newest(heldOut.size()),
                heldOut.added(), pending, pendingWindows, pendingLoss, oldestMs, newestMs, watchFrom, rejected,
                rolledBack));
    }

    /** Continues from {@link #snapshot()} bytes (checked: model id, shapes, checksum). */
    public void restore(byte[] bytes) {
        OwnerState s = OwnerState.read(bytes);
        if (!s.modelId().equals(modelId)) {
            throw new IllegalArgumentException("owner state of model " + s.modelId() + ", this owner trains " + modelId);
        }
        float[][] current = weights(model);
        OwnerState.requireShapes(current, s.weights(), "weights");
        OwnerState.requireShapes(current, s.champion(), "champion");
        if (s.parent() != null) {
            OwnerState.requireShapes(current, s.parent(), "parent");
        }
        load(model, s.weights());
        trainer.restoreOptimizer(s.optimizerSteps(), s.optimizerState());
        gate.restore(s.gate());
        version = s.version();
        champion = s.champion();
        parent = s.parent();
        parentVersion = s.parentVersion();
        heldOut.restore(s.heldOut(), s.heldOutAdded());
        pending = s.pending();
        pendingWindows = s.pendingWindows();
        pendingLoss = s.pendingLoss();
        oldestMs = s.oldestMs();
        newestMs = s.newestMs();
        watchFrom = s.watchFrom();
        rejected = s.rejected();
        rolledBack = s.rolledBack();
    }
}
