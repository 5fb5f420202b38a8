package io.streamnet.interop;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Mutations of JSON text that keep it JSON more often than byte flips do: a number set to an edge
 * value, a string swapped for another of the file, an array element or object member dropped or
 * repeated. For a safetensors file the header is mutated and its length prefix rewritten, so that
 * the parser reads the damaged header instead of refusing the length.
 */
final class TextMutations {
    private static final String[] NUMBERS = {"0", "1", "-1", "2", "3", "2147483647", "2147483648", "-2147483648",
            "4294967296", "9223372036854775807", "9223372036854775808", "99999999999999999999", "1e9", "1e400", "3.5",
            "-0", "1099511627776"};
    private static final Pattern NUMBER = Pattern.compile("-?[0-9]+(\\.[0-9]+)?([eE][-+]?[0-9]+)?");
    private static final Pattern STRING = Pattern.compile("\"([^\"\\\\]|\\\\.)*\"");
    private static final Pattern ELEMENT = Pattern.compile("(\"([^\"\\\\]|\\\\.)*\"|-?[0-9.eE+]+)\\s*,\\s*");

    private TextMutations() {
    }

    static byte[] header(Random rnd, byte[] file, List<String> how) {
        if (file.length < 8) {
            how.add("header mutation of a short file (kept)");
            return file;
        }
        long n = ByteBuffer.wrap(file, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        if (n < 0 || n > file.length - 8) {
            how.add("header mutation of a bad length (kept)");
            return file;
        }
        byte[] header = Arrays.copyOfRange(file, 8, 8 + (int) n);
        byte[] mutated = text(rnd, header, how);
        byte[] out = new byte[8 + mutated.length + file.length - 8 - (int) n];
        ByteBuffer.wrap(out, 0, 8).order(ByteOrder.LITTLE_ENDIAN).putLong(mutated.length);
        System.arraycopy(mutated, 0, out, 8, mutated.length);
        System.arraycopy(file, 8 + (int) n, out, 8 + mutated.length, file.length - 8 - (int) n);
        return out;
    }

    static byte[] text(Random rnd, byte[] bytes, List<String> how) {
        String s = new String(bytes, StandardCharsets.UTF_8);
        List<int[]> spans;
        String with;
        switch (rnd.nextInt(4)) {
            case 0 -> {
                spans = spans(NUMBER, s);
                with = NUMBERS[rnd.nextInt(NUMBERS.length)];
                how.add("a number set to " + with);
            }
            case 1 -> {
                spans = spans(STRING, s);
                with = spans.isEmpty() ? "\"\"" : pick(rnd, s, spans);
                how.add("a string set to " + (with.length() > 40 ? with.substring(0, 40) + "..." : with));
            }
            case 2 -> {
                spans = spans(ELEMENT, s);
                with = "";
                how.add("an element dropped");
            }
            default -> {
                spans = spans(ELEMENT, s);
                with = null;
                how.add("an element repeated");
            }
        }
        if (spans.isEmpty()) {
            how.add("(nothing to change)");
            return bytes;
        }
        int[] span = spans.get(rnd.nextInt(spans.size()));
        String replacement = with != null ? with : s.substring(span[0], span[1]) + s.substring(span[0], span[1]);
        return (s.substring(0, span[0]) + replacement + s.substring(span[1])).getBytes(StandardCharsets.UTF_8);
    }

    private static String pick(Random rnd, String s, List<int[]> spans) {
        int[] sp = spans.get(rnd.nextInt(spans.size()));
        return s.substring(sp[0], sp[1]);
    }

    private static List<int[]> spans(Pattern p, String s) {
        List<int[]> out = new ArrayList<>();
        Matcher m = p.matcher(s);
        while (m.find() && out.size() < 100_000) {
            out.add(new int[] {m.start(), m.end()});
        }
        return out;
    }
}
