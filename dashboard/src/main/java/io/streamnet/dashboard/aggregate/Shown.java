package io.streamnet.dashboard.aggregate;

/**
 * Length limits for the strings the dashboard holds and shows. Counts bound how many strings are
 * kept; these bound how long each is, so that a record with a key of megabytes costs no more than
 * one of a few characters. A string over its limit keeps its start and ends with an ellipsis; two
 * long strings with the same start then show as one, which a dashboard can afford.
 */
public final class Shown {
    /** Keys of conversations, camera ids. */
    public static final int KEY = 200;
    /** Model ids, metric names. */
    public static final int ID = 100;
    /** Dead-letter reasons. */
    public static final int REASON = 100;
    /** Dead-letter details and sources. */
    public static final int DETAIL = 1000;
    static final String ELLIPSIS = "\u2026";

    private Shown() {
    }

    /** {@code s} if it has at most {@code max} characters, else its start and an ellipsis, {@code max} in all. */
    public static String cap(String s, int max) {
        if (s.length() <= max) {
            return s;
        }
        int end = max - 1;
        if (Character.isHighSurrogate(s.charAt(end - 1))) {
            end--; // never split a character in two
        }
        return s.substring(0, end) + ELLIPSIS;
    }

    /** {@code cs} (a record's text) as a string, capped as {@link #cap(String, int)}. */
    public static String cap(CharSequence cs, int max) {
        return cap(cs.toString(), max);
    }
}
