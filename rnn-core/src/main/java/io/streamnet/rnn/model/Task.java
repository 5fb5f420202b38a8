package io.streamnet.rnn.model;

/** What the output head produces: class probabilities (softmax, cross-entropy) or values (identity, MSE). */
public enum Task {
    CLASSIFICATION,
    REGRESSION
}
