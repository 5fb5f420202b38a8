package io.streamnet.flink.training;

import io.streamnet.flink.operator.KeyOrder;
import io.streamnet.flink.operator.ModelFollowingOperator;
import io.streamnet.rnn.model.OutputType;
import io.streamnet.serving.event.EventOrder;
import io.streamnet.serving.model.ModelSlot;
import io.streamnet.serving.model.ServedSequenceModel;
import io.streamnet.serving.reject.RejectReason;
import io.streamnet.serving.reject.Rejected;
import io.streamnet.serving.sequence.SequenceEvent;
import io.streamnet.serving.sequence.SequenceInput;
import io.streamnet.training.SequenceExamples;
import java.util.List;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.runtime.state.StateInitializationContext;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;

/**
 * Online training of a token MANY_TO_ONE model on Flink. Input 1 (keyed by sequence key) carries
 * labelled events, input 2 (broadcast) the model updates the model owner published, so this
 * operator always learns on the newest model it was sent. A key's tokens since its sequence began
 * are keyed state (the last {@code maxSteps}); at its labelled end marker the sequence is queued,
 * and every {@code windowsPerGradient} queued sequences run as ONE batched forward/backward
 * ({@link SequenceExamples}), summed into a gradient shipped to the model owner with the version it
 * was computed on ({@link GradientOutbox}). Events of a key must come in increasing seq, as in
 * serving ({@link EventOrder}: a retried or replayed one is not learned twice). Held-out keys
 * ({@link HeldOutSecret}) are never trained on: their sequences go to the owner to score candidates.
 * Before every checkpoint barrier, at a model swap and at end of input what is queued runs and
 * ships, so no learned-from event is lost or counted twice across a restore.
 */
public final class ManyToOneTrainingOperator
        extends ModelFollowingOperator<SequenceEvent, ServedSequenceModel, TrainingMessage> {
    private static final long serialVersionUID = 1L;
    /** Names in savepoints: keep them. */
    static final String TOKENS = "train-tokens";
    static final String LAST_SEQ = "train-last-seq";

    private final TrainingOperatorConfig config;
    private transient ValueState<int[]> tokens;
    private transient KeyOrder order;
    private transient TrainingParts parts;
    /** The queued labelled sequences, on the model learned on. */
    private transient SequenceExamples examples;

    public ManyToOneTrainingOperator(byte[] checkpoint, String modelId, long version, TrainingOperatorConfig config) {
        super(checkpoint, modelId, version, TrainingOperators.settings(config));
        this.config = config;
    }

    @Override
    public void initializeState(StateInitializationContext context) throws Exception {
        super.initializeState(context);
        parts = TrainingParts.restore(context.getOperatorStateStore(), config);
    }

    @Override
    public void open() throws Exception {
        parts.open(output, getMetricGroup());
        super.open();
        order = KeyOrder.of(config.order(), LAST_SEQ, this);
        tokens = expiringState(new ValueStateDescriptor<>(TOKENS, PrimitiveArrayTypeInfo.INT_PRIMITIVE_ARRAY_TYPE_INFO));
    }

    @Override
    protected ModelSlot.Kind<ServedSequenceModel> modelKind() {
        return TrainingOperators.kind(OutputType.MANY_TO_ONE);
    }

    /** What was learned on the old model ships first, marked with its version; then the new one trains. */
    @Override
    protected void modelChanged(ServedSequenceModel serving) throws Exception {
        if (parts.outbox.learning()) {
            ship();
        }
        examples = new SequenceExamples(serving.model(), TrainingOperators.trainer(serving, config,
                getRuntimeContext().getTaskInfo().getIndexOfThisSubtask()), config.maxSteps());
        parts.outbox.learnOn(serving);
    }

    @Override
    public void processElement1(StreamRecord<SequenceEvent> element) throws Exception {
        parts.metrics.recordsIn.inc();
        buffer(element.getValue());
    }

    /** Each event's tokens into its key's state; labelled ends queued, run every {@code windowsPerGradient}. */
    @Override
    protected void run(List<SequenceEvent> batch) throws Exception {
        parts.run(batch, deadLetters(), this::learn, () -> {
            if (examples.pending() >= config.windowsPerGradient()) {
                ship();
            }
        });
    }

    private void learn(SequenceEvent e) throws Exception {
        setCurrentKey(e.key);
        order.check(e.key, e.seq);
        int[] so = tokens.value();
        if (e.hasSteps()) {
            SequenceInput in = SequenceInput.of(e, serving(), config.maxStepsPerEvent());
            int[] more = new int[in.steps()];
            for (int i = 0; i < more.length; i++) {
                more[i] = in.token(i);
            }
            so = examples.append(so, more);
        }
        if (!e.end) {
            if (so != null) {
                tokens.update(so);
            }
            order.taken(e.seq, false);
            return;
        }
        tokens.clear();
        order.taken(e.seq, true);
        if (e.label < 0 || so == null) {
            return; // an unlabelled sequence teaches nothing
        }
        int classes = serving().model().config().outputSize();
        if (e.label >= classes) {
            throw new Rejected(RejectReason.BAD_LABEL, "label " + e.label + " outside the model's " + classes + " classes");
        }
        if (parts.heldOut.holds(e.key)) {
            parts.out.heldOut(so, new int[] {e.label});
        } else {
            parts.metrics.sequencesLearned.inc();
            examples.add(so, e.label, e.ingestTime);
        }
    }

    /** Runs what is queued and ships the sum, if there is one. */
    private void ship() {
        if (examples != null && examples.pending() > 0) {
            examples.run(parts.outbox.sum());
        }
        parts.outbox.ship();
    }

    @Override
    protected void drained() {
        ship();
    }
}
