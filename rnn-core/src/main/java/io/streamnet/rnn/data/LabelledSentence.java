package io.streamnet.rnn.data;

/** One UCI sentence: its text, 0/1 label and source file (amazon, imdb, yelp). */
public record LabelledSentence(String text, int label, String source) {
}
