package io.streamnet.serving.frame;

import io.streamnet.engine.backend.Backend;
import io.streamnet.engine.backend.Placement;
import io.streamnet.engine.backend.Residency;
import io.streamnet.engine.nn.layer.Sequential;
import io.streamnet.engine.tensor.Tensor;
import io.streamnet.serving.model.ServedFrameModel;
import io.streamnet.serving.placement.CalibratedPlacement;
import io.streamnet.serving.placement.RoundLadder;
import java.util.HashMap;
import java.util.Map;

/**
 * Where a frame model's passes run ({@link CalibratedPlacement}): one CNN inference is timed on
 * random frames at each batch size of the classifier's ladder, once per architecture and capacity.
 */
final class FramePlacement {
    private FramePlacement() {
    }

    static Placement of(ServedFrameModel model, int capacity) {
        String key = "frame cnn " + model.cnn().architecture() + " at capacity " + capacity;
        return CalibratedPlacement.of(key, RoundLadder.of(capacity, 2), new CnnRounds(model));
    }

    /** One CNN inference of {@code rows} random frames, on a copy of the CNN made for the backend and size. */
    private static final class CnnRounds implements CalibratedPlacement.Rounds {
        private final ServedFrameModel model;
        private final Map<String, Sequential> copies = new HashMap<>();

        CnnRounds(ServedFrameModel model) {
            this.model = model;
        }

        @Override
        public CalibratedPlacement.Round make(Backend b, int rows) {
            Sequential cnn = copies.computeIfAbsent(b.name() + "/" + rows, k -> model.copyCnn(b));
            Tensor x = Tensor.zeros(rows, model.channels(), model.height(), model.width());
            CalibratedPlacement.fillRandom(x, rows);
            Residency.Step pass = s -> s.keep(cnn.infer(x)); // as a round runs: resident on a device
            return new CalibratedPlacement.Round(b.residency(cnn.residentTensors()), pass);
        }
    }
}
