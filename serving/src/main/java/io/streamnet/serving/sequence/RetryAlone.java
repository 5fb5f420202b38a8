package io.streamnet.serving.sequence;

import io.streamnet.engine.tensor.Tensor;
import io.streamnet.rnn.model.SequenceModel;
import io.streamnet.rnn.state.StateBatch;

/**
 * A round whose batched step threw, stepped again one row at a time from the state each row
 * started from, so that only the rows the model fails on fail; a row whose output is NaN or
 * infinite fails too. The rows that pass get their new state and output written back into the
 * round. The one-row workspace is made on the first failure.
 */
final class RetryAlone {
    static final String NON_FINITE = "the model output NaN or Inf";

    private final SequenceModel model;
    private StateBatch single;
    private Tensor singleFeatures;
    private final int[] singleToken = new int[1];
    private float[] scratch;

    RetryAlone(SequenceModel model) {
        this.model = model;
    }

    /**
     * Steps rows [0, {@code count}) of {@code rows} alone on {@code on} (a model computing on the
     * backend of one-row rounds).
     *
     * @param failures set per row: why it failed, or null
     * @return how many rows failed
     */
    int retry(RowWorkspace rows, int count, SequenceModel on, String[] failures) {
        Tensor features = rows.features;
        if (single == null) {
            single = model.newStateBatch(1);
            singleFeatures = features == null ? null : Tensor.zeros(1, features.cols());
            scratch = new float[model.stateLayout().size()];
        }
        StateBatch batch = rows.batch;
        int failed = 0;
        for (int i = 0; i < count; i++) {
            single.load(0, rows.startOf(i));
            if (features != null) {
                System.arraycopy(features.data(), i * features.cols(), singleFeatures.data(), 0, features.cols());
            } else {
                singleToken[0] = rows.tokens[i];
            }
            try {
                on.stepBatch(single, 1, singleToken, singleFeatures);
                if (single.output(0).hasNonFinite()) {
                    failures[i] = NON_FINITE;
                } else {
                    single.saveInto(0, scratch);
                    batch.load(i, scratch);
                    batch.output(i).copyFrom(single.output(0));
                    failures[i] = null;
                }
            } catch (RuntimeException e) {
                failures[i] = "the model failed: " + e;
            }
            failed += failures[i] == null ? 0 : 1;
        }
        return failed;
    }
}
