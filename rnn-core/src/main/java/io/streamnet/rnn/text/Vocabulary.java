package io.streamnet.rnn.text;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Token <-> id. Id 0 is the out-of-vocabulary bucket; the rest are the most frequent tokens of the
 * corpus it was built from (ties broken alphabetically, so a build is reproducible). Saved inside the
 * model checkpoint, so a model reads any text the way it was trained.
 */
public final class Vocabulary {
    public static final String OOV = "<unk>";
    private final List<String> tokens;
    private final Map<String, Integer> ids;
    private final String kind;

    private Vocabulary(String kind, List<String> tokens) {
        this.kind = kind;
        this.tokens = List.copyOf(tokens);
        this.ids = new HashMap<>();
        for (int i = 0; i < tokens.size(); i++) {
            ids.put(tokens.get(i), i);
        }
    }

    /** Words of {@code texts} (see {@link WordTokenizer}) seen at least {@code minCount} times, at most {@code maxSize} ids. */
    public static Vocabulary words(Collection<String> texts, int maxSize, int minCount) {
        Map<String, Integer> counts = new HashMap<>();
        for (String t : texts) {
            for (String w : WordTokenizer.tokenize(t)) {
                counts.merge(w, 1, Integer::sum);
            }
        }
        List<String> sorted = new ArrayList<>(counts.keySet());
        sorted.removeIf(w -> counts.get(w) < minCount);
        sorted.sort(Comparator.comparingInt((String w) -> -counts.get(w)).thenComparing(w -> w));
        List<String> toks = new ArrayList<>();
        toks.add(OOV);
        toks.addAll(sorted.subList(0, Math.min(sorted.size(), Math.max(0, maxSize - 1))));
        return new Vocabulary("word", toks);
    }

    /** Every distinct character of {@code text}, in code-point order, after the OOV id. */
    public static Vocabulary chars(String text) {
        List<String> toks = new ArrayList<>();
        toks.add(OOV);
        text.codePoints().distinct().sorted().forEach(cp -> toks.add(new String(Character.toChars(cp))));
        return new Vocabulary("char", toks);
    }

    public int size() {
        return tokens.size();
    }

    public String kind() {
        return kind;
    }

    public int id(String token) {
        return ids.getOrDefault(token, 0);
    }

    public String token(int id) {
        return tokens.get(id);
    }

    /** Ids of a text: words for a word vocabulary, characters for a char vocabulary. */
    public int[] encode(String text) {
        if (kind.equals("char")) {
            return text.codePoints().map(cp -> id(new String(Character.toChars(cp)))).toArray();
        }
        return WordTokenizer.tokenize(text).stream().mapToInt(this::id).toArray();
    }

    public String decode(int[] ids) {
        StringBuilder sb = new StringBuilder();
        for (int id : ids) {
            if (kind.equals("word") && sb.length() > 0) {
                sb.append(' ');
            }
            sb.append(token(id));
        }
        return sb.toString();
    }

    public ObjectNode toJson() {
        ObjectNode n = JsonNodeFactory.instance.objectNode();
        n.put("kind", kind);
        ArrayNode arr = n.putArray("tokens");
        tokens.forEach(arr::add);
        return n;
    }

    public static Vocabulary fromJson(JsonNode n) {
        String kind = n.path("kind").asText();
        if (!kind.equals("word") && !kind.equals("char")) {
            throw new IllegalArgumentException("vocabulary kind must be word or char, got '" + kind + "'");
        }
        List<String> toks = new ArrayList<>();
        n.path("tokens").forEach(t -> toks.add(t.asText()));
        if (toks.isEmpty() || !toks.get(0).equals(OOV)) {
            throw new IllegalArgumentException("vocabulary must start with " + OOV);
        }
        return new Vocabulary(kind, toks);
    }
}
