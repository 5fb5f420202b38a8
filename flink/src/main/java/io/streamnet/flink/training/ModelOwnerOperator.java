package io.streamnet.flink.training;

import io.streamnet.flink.operator.DeadLetterOutput;
import io.streamnet.rnn.train.SequenceTrainer;
import io.streamnet.schemas.ModelUpdate;
import io.streamnet.serving.model.ServedSequenceModel;
import io.streamnet.serving.model.UpdateSignatures;
import io.streamnet.serving.output.DeadLetters;
import io.streamnet.serving.reject.RejectReason;
import io.streamnet.training.GradientGate;
import io.streamnet.training.ModelOwner;
import io.streamnet.training.TrainableModelKind;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.util.List;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Counter;
import org.apache.flink.runtime.state.StateInitializationContext;
import org.apache.flink.runtime.state.StateSnapshotContext;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.BoundedOneInput;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one model owner (parallelism 1) of a model trained online, on Flink: a thin adapter over
 * {@link ModelOwner}. Gradients and held-out sequences come from the training subtasks; published
 * versions leave as {@link ModelUpdate}s (signed when a key is set) for the transactional
 * model-updates sink, refused candidates as CANDIDATE_REJECTED dead letters. The owner's whole
 * state (weights, optimizer, version, champion, held-out set) is operator state, so a restored job
 * goes on from the checkpoint's version: the versions a read_committed reader sees only go up.
 */
public final class ModelOwnerOperator extends AbstractStreamOperator<ModelUpdate>
        implements OneInputStreamOperator<TrainingMessage, ModelUpdate>, BoundedOneInput {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(ModelOwnerOperator.class);
    /** Name in savepoints: keep it. */
    static final String STATE = "model-owner";
    static final String INSTANCE = "model-owner-instance";

    private final byte[] initialCheckpoint;
    private final String modelId;
    private final long initialVersion;
    private final OwnerConfig config;

    private transient ListState<byte[]> state;
    /** This job's instance, generated at its first start and kept: two jobs of one group id are told apart. */
    private transient ListState<String> instanceState;
    private transient String instance;
    private transient ModelOwner owner;
    private transient int[] sizes;
    private transient PrivateKey signingKey;
    private transient long lastCandidate;
    private transient Counter published;
    private transient Counter malformed;

    public ModelOwnerOperator(byte[] checkpoint, String modelId, long version, OwnerConfig config) {
        this.initialCheckpoint = checkpoint.clone();
        this.modelId = modelId;
        this.initialVersion = version;
        this.config = config;
    }

    @Override
    public void initializeState(StateInitializationContext context) throws Exception {
        super.initializeState(context);
        state = context.getOperatorStateStore().getListState(new ListStateDescriptor<>(STATE,
                PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO));
        instanceState = context.getOperatorStateStore().getListState(new ListStateDescriptor<>(INSTANCE, Types.STRING));
        instance = null;
        for (String kept : instanceState.get()) {
            instance = kept;
        }
        if (instance == null) {
            instance = java.util.UUID.randomUUID().toString();
            instanceState.update(List.of(instance));
        }
    }

    @Override
    public void open() throws Exception {
        super.open();
        ServedSequenceModel initial = new TrainableModelKind().load(initialCheckpoint, modelId, initialVersion);
        var model = initial.model();
        SequenceTrainer trainer = new SequenceTrainer(model, config.newOptimizer(model.backend()), config.clipNorm(), 0);
        owner = new ModelOwner(modelId, initialVersion, model, initial.vocabulary(), trainer,
                new GradientGate(config.maxStaleness(), config.spikeFactor()), config.policy()).ownedBy(config.ownerId() + "#" + instance);
        sizes = model.parameters().stream().mapToInt(p -> p.value().size()).toArray();
        // read here, where the owner runs: the key is in no job graph, HA store or checkpoint
        signingKey = config.signingKey() == null ? null : UpdateSignatures.readPrivateKey(Path.of(config.signingKey()));
        for (byte[] s : state.get()) {
            owner.restore(s);
            LOG.info("model owner of {} restored at version {}", modelId, owner.version());
        }
        var g = getMetricGroup();
        published = g.counter("versionsPublished");
        malformed = g.counter("gradientsMalformed");
        g.gauge("modelVersion", owner::version);
        g.gauge("candidatesRejected", owner::rejected);
        g.gauge("rollbacks", owner::rolledBack);
        g.gauge("ownerConflict", () -> owner.conflict() == null ? 0 : 1);
        g.gauge("heldOutSequences", () -> owner.heldOut().size());
        for (GradientGate.Verdict v : GradientGate.Verdict.values()) {
            g.gauge("gradients" + v.name(), () -> owner.gate().count(v));
        }
        lastCandidate = getProcessingTimeService().getCurrentProcessingTime();
        scheduleTimer(lastCandidate);
    }

    private void scheduleTimer(long now) {
        getProcessingTimeService().registerTimer(now + config.publishEvery().toMillis(), t -> {
            if (t - lastCandidate >= config.publishEvery().toMillis()) {
                handle(owner.publishDue());
            }
            scheduleTimer(t);
        });
    }

    @Override
    public void processElement(StreamRecord<TrainingMessage> element) throws Exception {
        TrainingMessage m = element.getValue();
        if (!m.isGradient()) {
            handle(owner.offerHeldOut(m.example()));
            return;
        }
        try {
            handle(owner.offer(m.gradient(sizes), m.owner));
        } catch (IllegalArgumentException e) {
            malformed.inc(); // a gradient of another architecture: the training subtasks refuse such models
            LOG.warn("gradient dropped: {}", e.getMessage());
        }
    }

    private void handle(ModelOwner.Outcome o) {
        if (o == null) {
            return;
        }
        lastCandidate = getProcessingTimeService().getCurrentProcessingTime();
        if (o instanceof ModelOwner.Published p) {
            publish(p.update());
        } else if (o instanceof ModelOwner.RolledBack r) {
            LOG.warn("model {} v{} scored {} live against its parent's {}: rolled back as v{}", modelId, r.from(),
                    r.liveScore(), r.parentScore(), r.update().getVersion());
            publish(r.update());
        } else if (o instanceof ModelOwner.OwnerConflict c) {
            LOG.error("{}", c.detail());
            output.collect(DeadLetterOutput.TAG, new StreamRecord<>(DeadLetters.of("", -1, -1,
                    RejectReason.OWNER_CONFLICT, c.detail(), new byte[0])));
        } else if (o instanceof ModelOwner.CandidateRejected r) {
            LOG.info("model {}: {}", modelId, r.detail());
            output.collect(DeadLetterOutput.TAG, new StreamRecord<>(DeadLetters.of("", -1, -1,
                    RejectReason.CANDIDATE_REJECTED, "model " + modelId + ": " + r.detail(), new byte[0])));
        }
    }

    private void publish(ModelUpdate u) {
        published.inc();
        output.collect(new StreamRecord<>(signingKey == null ? u : UpdateSignatures.sign(u, signingKey)));
    }

    /** A bounded run (a replay, a benchmark) ends with a last candidate from what was applied since the previous. */
    @Override
    public void endInput() throws Exception {
        handle(owner.publishDue());
    }

    @Override
    public void snapshotState(StateSnapshotContext context) throws Exception {
        super.snapshotState(context);
        state.update(List.of(owner.snapshot()));
    }

    /** The owner, for tests. */
    ModelOwner owner() {
        return owner;
    }
}
