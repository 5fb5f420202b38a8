package io.streamnet.bench.peers;

import io.streamnet.schemas.Prediction;
import io.streamnet.schemas.PredictionKind;
import io.streamnet.serving.sequence.SequenceEvent;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** The peers' predictions: the same record the sequence job writes for a MANY_TO_MANY step. */
final class PeerPredictions {
    private PeerPredictions() {
    }

    static Prediction of(SequenceEvent e, float[] probabilities, String modelId) {
        List<Float> p = new ArrayList<>(probabilities.length);
        int best = 0;
        for (int i = 0; i < probabilities.length; i++) {
            p.add(probabilities[i]);
            if (probabilities[i] > probabilities[best]) {
                best = i;
            }
        }
        return Prediction.newBuilder().setKey(e.key).setKind(PredictionKind.MANY_TO_MANY).setStep(e.seq)
                .setProbabilities(p).setLabel(best).setModelId(modelId).setModelVersion(1)
                .setEventTime(Instant.ofEpochMilli(e.eventTime))
                .setLatencyMs(Math.max(0, System.currentTimeMillis() - e.ingestTime))
                .setTrueLabel(e.label < 0 ? null : e.label).build();
    }
}
