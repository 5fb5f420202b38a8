package io.streamnet.rnn.model;

import io.streamnet.rnn.state.RnnState;
import java.util.Random;

/**
 * Generates tokens from a token classification model (e.g. a next-character model): each step's
 * probabilities, sharpened or flattened by a temperature, are sampled and the token fed back.
 */
public final class TokenSampler {
    private TokenSampler() {
    }

    /** Warms the state on {@code prompt}, then samples {@code count} tokens. */
    public static int[] sample(SequenceModel model, int[] prompt, int count, float temperature, Random rng) {
        if (!model.config().tokenInput() || model.config().task() != Task.CLASSIFICATION) {
            throw new IllegalArgumentException("sampling needs a token classification model");
        }
        if (prompt.length == 0 || !(temperature > 0f)) {
            throw new IllegalArgumentException("need a non-empty prompt and a positive temperature");
        }
        RnnState state = model.initialState();
        float[] probs = null;
        for (int t : prompt) {
            SequenceModel.StepResult r = model.step(state, t);
            state = r.state();
            probs = r.output();
        }
        int[] out = new int[count];
        for (int i = 0; i < count; i++) {
            int next = draw(probs, temperature, rng);
            out[i] = next;
            SequenceModel.StepResult r = model.step(state, next);
            state = r.state();
            probs = r.output();
        }
        return out;
    }

    /** p_i^(1/T), renormalised, sampled. */
    static int draw(float[] probs, float temperature, Random rng) {
        double[] w = new double[probs.length];
        double sum = 0;
        for (int i = 0; i < probs.length; i++) {
            w[i] = Math.pow(Math.max(probs[i], 1e-30), 1.0 / temperature);
            sum += w[i];
        }
        double u = rng.nextDouble() * sum;
        for (int i = 0; i < w.length; i++) {
            u -= w[i];
            if (u <= 0) {
                return i;
            }
        }
        return w.length - 1;
    }
}
