package io.streamnet.rnn.model;

/** The four recurrent output types. */
public enum OutputType {
    /** A sequence in, one output after its last step (e.g. sentiment of a sentence). */
    MANY_TO_ONE,
    /** A sequence in, an output at every step (e.g. next-character prediction, frame labels). */
    MANY_TO_MANY,
    /** One vector in, a sequence out, each output fed back as the next input. */
    ONE_TO_MANY,
    /** An encoder reads the sequence (many-to-one); a decoder starts from its state and generates (one-to-many). */
    SEQ2SEQ
}
