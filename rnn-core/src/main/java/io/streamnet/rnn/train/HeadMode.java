package io.streamnet.rnn.train;

/** Where a stack's output head reads: nowhere (an encoder), its final states, or every step. */
public enum HeadMode {
    NONE,
    FINAL,
    EVERY_STEP
}
