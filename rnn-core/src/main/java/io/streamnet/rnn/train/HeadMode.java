package io.streamnet.rnn.train;

/**
 * Where a stack's output head reads during training: nowhere (an encoder), its final states, or every
 * step. Internal to training: derived from the model's {@link io.streamnet.rnn.model.OutputType}.
 */
enum HeadMode {
    NONE,
    FINAL,
    EVERY_STEP
}
