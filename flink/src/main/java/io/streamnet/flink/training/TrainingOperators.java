package io.streamnet.flink.training;

import io.streamnet.engine.checkpoint.CheckpointException;
import io.streamnet.flink.operator.ModelFollowingOperator;
import io.streamnet.rnn.model.OutputType;
import io.streamnet.rnn.train.SequenceTrainer;
import io.streamnet.schemas.ModelUpdate;
import io.streamnet.serving.model.ModelRejected;
import io.streamnet.serving.model.ModelSlot;
import io.streamnet.serving.model.ServedSequenceModel;
import io.streamnet.serving.sequence.SequenceEvent;
import io.streamnet.training.TrainableModelKind;

/**
 * The training operator of a model's kind: {@link ManyToOneTrainingOperator} learns labelled
 * sequences, {@link ManyToManyTrainingOperator} TBPTT windows. A model's kind never changes while
 * a job trains it (updates must have its very architecture), so the job picks the operator once.
 */
public final class TrainingOperators {
    /** The broadcast state holding the model learned on: the name in savepoints, keep it. */
    static final String MODEL_STATE = "training-model";

    private TrainingOperators() {
    }

    /** The operator that trains {@code initial} (and the versions of it the owner publishes). */
    public static ModelFollowingOperator<SequenceEvent, ServedSequenceModel, TrainingMessage> of(
            ServedSequenceModel initial, TrainingOperatorConfig config) {
        return initial.model().config().outputType() == OutputType.MANY_TO_ONE
                ? new ManyToOneTrainingOperator(initial.checkpoint(), initial.modelId(), initial.version(), config)
                : new ManyToManyTrainingOperator(initial.checkpoint(), initial.modelId(), initial.version(), config);
    }

    static ModelFollowingOperator.Settings settings(TrainingOperatorConfig c) {
        return new ModelFollowingOperator.Settings(c.maxModelBytes(), MODEL_STATE, null, c.stateTtl(), c.batchSize(),
                c.batchMillis(), c.trustedKey());
    }

    /**
     * What the training slot accepts ({@link TrainableModelKind}), of {@code type} only: a restored
     * model of the other kind is not served, and the one the job was started with serves instead.
     */
    static ModelSlot.Kind<ServedSequenceModel> kind(OutputType type) {
        TrainableModelKind trainable = new TrainableModelKind();
        return new ModelSlot.Kind<>() {
            @Override
            public ServedSequenceModel load(byte[] checkpoint, String modelId, long version) throws CheckpointException {
                return trainable.load(checkpoint, modelId, version);
            }

            @Override
            public ServedSequenceModel validate(ModelUpdate update) throws ModelRejected {
                return trainable.validate(update);
            }

            @Override
            public String incompatibility(ServedSequenceModel m, ServedSequenceModel current) {
                String why = trainable.incompatibility(m, current);
                OutputType its = m.model().config().outputType();
                return why != null || its == type ? why : "this training operator learns " + type + " models, this is "
                        + its;
            }

            @Override
            public String canary(ServedSequenceModel candidate) {
                return trainable.canary(candidate);
            }
        };
    }

    /** The trainer of {@code m} on subtask {@code subtask} (its own dropout seed). */
    static SequenceTrainer trainer(ServedSequenceModel m, TrainingOperatorConfig config, int subtask) {
        return new SequenceTrainer(m.model(), null, 0f, config.seed() + subtask)
                .withEmbeddingDropout(config.embeddingDropout());
    }
}
