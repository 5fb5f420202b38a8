package io.streamnet.flink.rnn;

/**
 * One event for the RNN operator, already decoded and validated: a token id (token models) or a
 * feature vector (feature models), with its position, label and end-of-sequence flag.
 */
public record StepInput(String key, long seq, int token, float[] features, boolean end, Integer label, long eventTime) {
    public static StepInput token(String key, long seq, int token, boolean end, Integer label, long eventTime) {
        return new StepInput(key, seq, token, null, end, label, eventTime);
    }

    public static StepInput features(String key, long seq, float[] features, boolean end, Integer label, long eventTime) {
        return new StepInput(key, seq, -1, features, end, label, eventTime);
    }
}
