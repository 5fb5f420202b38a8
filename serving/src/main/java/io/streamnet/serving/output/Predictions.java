package io.streamnet.serving.output;

import io.streamnet.rnn.model.Task;
import io.streamnet.schemas.Prediction;
import io.streamnet.schemas.PredictionKind;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** Builds {@link Prediction} records from model outputs (the RNN and CNN operators alike). */
public final class Predictions {
    private Predictions() {
    }

    public static Prediction of(String key, long step, PredictionKind kind, Task task, float[] out, float[] forecast,
                         String modelId, long version, long eventTime, long latencyMs, int trueLabel) {
        boolean classes = task == Task.CLASSIFICATION;
        List<Float> probs = classes ? floats(out) : List.of();
        List<Float> values = forecast != null ? floats(forecast) : classes ? List.of() : floats(out);
        return Prediction.newBuilder().setKey(key).setKind(kind).setStep(step).setProbabilities(probs)
                .setValues(values).setLabel(classes ? argmax(out) : -1).setModelId(modelId).setModelVersion(version)
                .setEventTime(Instant.ofEpochMilli(eventTime)).setLatencyMs(Math.max(0, latencyMs))
                .setTrueLabel(trueLabel < 0 ? null : trueLabel).build();
    }

    public static int argmax(float[] v) {
        int best = 0;
        for (int i = 1; i < v.length; i++) {
            if (v[i] > v[best]) {
                best = i;
            }
        }
        return best;
    }

    private static List<Float> floats(float[] v) {
        List<Float> l = new ArrayList<>(v.length);
        for (float f : v) {
            l.add(f);
        }
        return l;
    }
}
