package io.streamnet.flink.training;

import io.streamnet.flink.operator.KeyOrder;
import io.streamnet.flink.operator.ModelFollowingOperator;
import io.streamnet.rnn.model.OutputType;
import io.streamnet.rnn.train.SequenceTrainer;
import io.streamnet.serving.model.ModelSlot;
import io.streamnet.serving.model.ServedSequenceModel;
import io.streamnet.serving.reject.RejectReason;
import io.streamnet.serving.reject.Rejected;
import io.streamnet.serving.sequence.SequenceEvent;
import io.streamnet.serving.sequence.SequenceInput;
import io.streamnet.training.HeldOutSet;
import io.streamnet.training.WindowRounds;
import io.streamnet.training.WindowTrainer;
import java.util.List;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.runtime.state.StateInitializationContext;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;

/**
 * Online training of a MANY_TO_MANY model on Flink: a token model learns next-token prediction (each
 * token's label is the token after it), a feature model (such as the camera smoother over CNN
 * features) each StepEvent's own label. Inputs, model updates, event order, held-out keys and
 * gradient shipping are as in {@link ManyToOneTrainingOperator}. A key's TBPTT(k1, k2) window is
 * keyed state ({@link WindowState}); a batch runs in rounds, each feeding every key its steps until
 * its window is due (k1 new steps), then ONE batched forward/backward over the due windows of all
 * keys ({@link WindowTrainer}: equal to rnn-core's TBPTT on the same stream), the hidden state
 * carried on in the window. Held-out keys' due windows go to the owner as examples instead. Windows
 * not yet due stay in keyed state, so a snapshot mid-window restores to the uninterrupted gradients.
 */
public final class ManyToManyTrainingOperator
        extends ModelFollowingOperator<SequenceEvent, ServedSequenceModel, TrainingMessage> {
    private static final long serialVersionUID = 1L;
    /** Names in savepoints: keep them. */
    static final String WINDOW = "train-window";
    static final String LAST_SEQ = ManyToOneTrainingOperator.LAST_SEQ;

    private final TrainingOperatorConfig config;
    private transient ValueState<WindowState> windows;
    private transient KeyOrder order;
    private transient TrainingParts parts;
    private transient SequenceTrainer trainer;
    private transient WindowTrainer windowTrainer;
    private transient WindowRounds rounds;
    private transient RoundSink roundSink;

    public ManyToManyTrainingOperator(byte[] checkpoint, String modelId, long version, TrainingOperatorConfig config) {
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
        roundSink = new RoundSink();
        super.open();
        order = KeyOrder.of(config.order(), LAST_SEQ, this);
        windows = expiringState(new ValueStateDescriptor<>(WINDOW, TypeInformation.of(WindowState.class)));
    }

    @Override
    protected ModelSlot.Kind<ServedSequenceModel> modelKind() {
        return TrainingOperators.kind(OutputType.MANY_TO_MANY);
    }

    /** What was learned on the old model ships first, marked with its version; then the new one trains. */
    @Override
    protected void modelChanged(ServedSequenceModel serving) throws Exception {
        parts.outbox.ship();
        trainer = TrainingOperators.trainer(serving, config, getRuntimeContext().getTaskInfo().getIndexOfThisSubtask());
        windowTrainer = new WindowTrainer(serving.model(), trainer, config.k1(), config.maxSteps());
        rounds = new WindowRounds(windowTrainer, parts.heldOut);
        parts.outbox.learnOn(serving);
    }

    @Override
    public void processElement1(StreamRecord<SequenceEvent> element) throws Exception {
        parts.metrics.recordsIn.inc();
        buffer(element.getValue());
    }

    /** The batch's events into {@link WindowRounds}, run, and the windows written back. */
    @Override
    protected void run(List<SequenceEvent> batch) throws Exception {
        parts.run(batch, deadLetters(), this::take, this::runRounds);
    }

    private void runRounds() throws Exception {
        trainer.zeroGradients();
        rounds.run(roundSink);
        for (WindowRounds.Key k : rounds.keys()) {
            setCurrentKey(k.window().key());
            if (k.ended()) {
                windows.clear();
            } else {
                windows.update(WindowState.of(k.window(), k.pending()));
            }
        }
        rounds.clear();
    }

    /** An event's steps into its key's window (read from keyed state when the key is first seen in the batch). */
    private void take(SequenceEvent e) throws Exception {
        boolean features = !serving().model().config().tokenInput();
        int classes = serving().model().config().outputSize();
        SequenceInput in = e.hasSteps() ? SequenceInput.of(e, serving(), config.maxStepsPerEvent()) : null;
        if (features && in != null && (e.label < 0 || e.label >= classes)) {
            throw new Rejected(RejectReason.BAD_LABEL, "a many-to-many training step needs its label, one of "
                    + classes + " classes; got " + e.label);
        }
        setCurrentKey(e.key);
        order.check(e.key, e.seq);
        order.taken(e.seq, e.end);
        WindowRounds.Key k = rounds.get(e.key);
        if (k == null) {
            WindowState s = windows.value();
            k = rounds.key(e.key, s == null ? null : s.window(e.key, windowTrainer.k2()), s == null ? -1 : s.pending);
        }
        if (features && in != null) {
            k.step(e.features, e.label, e.ingestTime);
        } else if (in != null) {
            int[] ids = new int[in.steps()];
            for (int i = 0; i < ids.length; i++) {
                ids[i] = in.token(i);
            }
            k.tokens(ids, e.ingestTime);
        }
        if (e.end) {
            k.end();
        }
    }

    /** Where the rounds report: held-out examples to the owner, learned windows into the sum. */
    private final class RoundSink implements WindowRounds.Sink {
        @Override
        public void heldOut(HeldOutSet.Example e) {
            parts.out.heldOut(e);
        }

        @Override
        public void learned(int windowCount, double lossSum, long oldestMs, long newestMs) {
            parts.metrics.sequencesLearned.inc(windowCount);
            parts.outbox.sum().add(serving().model().parameters(), 1f, windowCount, lossSum, oldestMs, newestMs);
            trainer.zeroGradients();
            if (parts.outbox.sum().windows() >= config.windowsPerGradient()) {
                parts.outbox.ship();
            }
        }
    }

    @Override
    protected void drained() {
        parts.outbox.ship();
    }
}
