package io.streamnet.serving.sequence;

import io.streamnet.engine.backend.Backend;
import io.streamnet.engine.backend.Placement;
import io.streamnet.engine.backend.Residency;
import io.streamnet.engine.tensor.Tensor;
import io.streamnet.rnn.model.SequenceModel;
import io.streamnet.rnn.state.StateBatch;
import io.streamnet.serving.placement.CalibratedPlacement;
import io.streamnet.serving.placement.RoundLadder;
import java.util.HashMap;
import java.util.Map;

/**
 * Where a sequence model's rounds run ({@link CalibratedPlacement}): one batched step is timed at 1,
 * 4, 16, ... rows up to the capacity, once per model shape and capacity.
 */
final class SequencePlacement {
    private SequencePlacement() {
    }

    static Placement of(SequenceModel model, int capacity) {
        String key = "sequence " + model.config() + " at capacity " + capacity;
        return CalibratedPlacement.of(key, RoundLadder.of(Math.max(1, capacity), 4), new StepRounds(model));
    }

    /** One batched step of {@code rows} keys from the initial state, on a copy of the model made on the backend. */
    private static final class StepRounds implements CalibratedPlacement.Rounds {
        private final SequenceModel model;
        private final Map<String, SequenceModel> copies = new HashMap<>();

        StepRounds(SequenceModel model) {
            this.model = model;
        }

        @Override
        public CalibratedPlacement.Round make(Backend b, int rows) {
            SequenceModel m = copies.computeIfAbsent(b.name(), k -> PlacedModels.on(model, b));
            StateBatch states = m.newStateBatch(rows);
            int[] ids = new int[rows];
            Tensor in = m.config().tokenInput() ? null : Tensor.zeros(rows, m.config().inputSize());
            if (in != null) {
                CalibratedPlacement.fillRandom(in, rows);
            }
            Residency.Step step = s -> {
                m.stepBatch(states, rows, ids, in);
                states.keep(s, rows);
            };
            return new CalibratedPlacement.Round(m.newResidency(), step);
        }
    }
}
