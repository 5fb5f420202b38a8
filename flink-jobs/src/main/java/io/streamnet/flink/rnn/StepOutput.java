package io.streamnet.flink.rnn;

/** The model's output for a key after an event: probabilities (or values), arg max, and what it answered. */
public record StepOutput(String key, long seq, float[] output, int label, Integer trueLabel, boolean end,
                         long eventTime) {
}
