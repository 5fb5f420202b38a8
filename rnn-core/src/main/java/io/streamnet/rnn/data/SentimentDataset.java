package io.streamnet.rnn.data;

import io.streamnet.datasets.DatasetUnavailableException;
import io.streamnet.datasets.PublishedDataset;
import java.io.BufferedReader;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/**
 * The UCI Sentiment Labelled Sentences (Kotzias et al., KDD 2015; CC BY 4.0): lines of
 * {@code sentence TAB label}. Read with a BufferedReader (imdb holds U+0085, which Scanner would
 * treat as a line break), split on the last TAB (quotes are unbalanced), sentences trimmed.
 */
public final class SentimentDataset {
    public static final String DIR_PROPERTY = "streamnet.data.sentiment";
    public static final String DIR_ENV = "STREAMNET_SENTIMENT_DIR";
    public static final List<String> FILES = List.of("amazon_cells_labelled.txt", "imdb_labelled.txt",
            "yelp_labelled.txt");

    private SentimentDataset() {
    }

    /**
     * The UCI zip of dataset 331. Its files are the 1000-line originals (the project's copy in
     * {@code ../shared/datasets/sentiment} holds 850 lines of each); the sha256 values are theirs.
     */
    public static final URI OFFICIAL_ZIP =
            URI.create("https://archive.ics.uci.edu/static/public/331/sentiment+labelled+sentences.zip");

    /**
     * The project's copy, shipped in this jar beside its attribution README (CC BY 4.0): 850 of the
     * 1000 lines of each file, byte for byte the lines of {@code ../shared/datasets/sentiment},
     * hence its own sha256 values, not the published ones.
     */
    public static final PublishedDataset.Bundled BUNDLED = new PublishedDataset.Bundled(SentimentDataset.class,
            "sentiment", List.of(
                    new PublishedDataset.DataFile("amazon_cells_labelled.txt",
                            "14cd6607f9b839b3411a5fb4699a6a8e43d1e0e2d0b9208ecba68d9618206832"),
                    new PublishedDataset.DataFile("imdb_labelled.txt",
                            "e45c826346fbb3a4af0fc6b008b4bda2aa442e5c2b07eec3c2f8be12b610e0a6"),
                    new PublishedDataset.DataFile("yelp_labelled.txt",
                            "968daf9f129a9ad1796a53b203f201f28b96df786e44103d71756186366d19fa")));

    /**
     * Where the files are: {@value #DIR_PROPERTY} or {@value #DIR_ENV}, else
     * {@code shared/datasets/sentiment} above the working directory, else
     * {@code ~/.cache/streamnet/sentiment}, else the {@link #BUNDLED} copy (extracted to
     * {@code ~/.cache/streamnet/sentiment-bundled}), else downloaded from {@link #OFFICIAL_ZIP} and
     * verified. The bundled copy precedes the download: it is the copy the project's figures come
     * from, and a machine without network finds it at once instead of after a timeout.
     */
    public static PublishedDataset.Builder source() {
        return PublishedDataset.builder("UCI sentiment files", "sentiment")
                .configuredBy(DIR_PROPERTY, DIR_ENV)
                .file("amazon_cells_labelled.txt", "47003fc0a0d4840b00e96e715b6189bad09e7443a3da41c4cbe12ffc79f86ae3")
                .file("imdb_labelled.txt", "aef2e49e3da25714d61175e3a6e68eeef74a20a2f914318dc3be9947ea86512d")
                .file("yelp_labelled.txt", "c76468b7b5c6e56a0804d728345c5f84aa2142ddb214420f61cc9cfd4c00d2ea")
                .bundled(BUNDLED)
                .source(PublishedDataset.Source.zip(OFFICIAL_ZIP));
    }

    /** The directory to read, by {@link #source()}. */
    public static Path locate() throws DatasetUnavailableException {
        return STANDARD.locate();
    }

    private static final PublishedDataset STANDARD = source().build();

    public static List<LabelledSentence> loadAll(Path dir) throws IOException {
        List<LabelledSentence> out = new ArrayList<>();
        for (String f : FILES) {
            out.addAll(read(dir.resolve(f), f.substring(0, f.indexOf('_'))));
        }
        return out;
    }

    /** Reads one file; a line without a TAB or with a label other than 0/1 is an error naming the line. */
    public static List<LabelledSentence> read(Path file, String source) throws IOException {
        List<LabelledSentence> out = new ArrayList<>();
        try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String line;
            int n = 0;
            while ((line = readLine(r)) != null) {
                n++;
                if (line.isBlank()) {
                    continue;
                }
                int tab = line.lastIndexOf('\t');
                String label = tab < 0 ? "" : line.substring(tab + 1).trim();
                if (tab < 0 || !(label.equals("0") || label.equals("1"))) {
                    throw new IOException(file + " line " + n + ": expected 'sentence<TAB>0|1'");
                }
                out.add(new LabelledSentence(line.substring(0, tab).trim(), label.charAt(0) - '0', source));
            }
        }
        return out;
    }

    /** Lines end at \n only (\r stripped): U+0085 and other separators stay inside the sentence. */
    private static String readLine(BufferedReader r) throws IOException {
        StringBuilder sb = new StringBuilder();
        int c;
        while ((c = r.read()) != -1) {
            if (c == '\n') {
                return stripCr(sb);
            }
            sb.append((char) c);
        }
        return sb.length() == 0 ? null : stripCr(sb);
    }

    private static String stripCr(StringBuilder sb) {
        int len = sb.length();
        return len > 0 && sb.charAt(len - 1) == '\r' ? sb.substring(0, len - 1) : sb.toString();
    }

    /** A fixed-seed split, stratified by source and label: train / validation / test. */
    public record Split(List<LabelledSentence> train, List<LabelledSentence> validation, List<LabelledSentence> test) {
    }

    public static Split split(List<LabelledSentence> all, double trainShare, double valShare, long seed) {
        List<LabelledSentence> train = new ArrayList<>();
        List<LabelledSentence> val = new ArrayList<>();
        List<LabelledSentence> test = new ArrayList<>();
        Random rng = new Random(seed);
        for (List<LabelledSentence> group : shuffledStrata(all, rng)) {
            int nTrain = (int) Math.round(group.size() * trainShare);
            int nVal = (int) Math.round(group.size() * valShare);
            train.addAll(group.subList(0, nTrain));
            val.addAll(group.subList(nTrain, nTrain + nVal));
            test.addAll(group.subList(nTrain + nVal, group.size()));
        }
        Collections.shuffle(train, rng);
        return new Split(train, val, test);
    }

    /**
     * {@code k} disjoint folds covering {@code all}, stratified by source and label (each fold holds
     * about 1/k of every source's positives and negatives), dealt from a fixed-seed shuffle.
     */
    public static List<List<LabelledSentence>> folds(List<LabelledSentence> all, int k, long seed) {
        if (k < 2) {
            throw new IllegalArgumentException("need at least 2 folds, got " + k);
        }
        List<List<LabelledSentence>> folds = new ArrayList<>();
        for (int f = 0; f < k; f++) {
            folds.add(new ArrayList<>());
        }
        int next = 0;
        for (List<LabelledSentence> group : shuffledStrata(all, new Random(seed))) {
            for (LabelledSentence s : group) {
                folds.get(next++ % k).add(s);
            }
        }
        return folds;
    }

    /** The sentences of each (source, label), sources sorted and label 0 first, each group shuffled by {@code rng} in turn. */
    private static List<List<LabelledSentence>> shuffledStrata(List<LabelledSentence> all, Random rng) {
        List<List<LabelledSentence>> strata = new ArrayList<>();
        for (String src : all.stream().map(LabelledSentence::source).distinct().sorted().toList()) {
            for (int label = 0; label <= 1; label++) {
                int l = label;
                List<LabelledSentence> group = new ArrayList<>(all.stream()
                        .filter(s -> s.source().equals(src) && s.label() == l).toList());
                Collections.shuffle(group, rng);
                strata.add(group);
            }
        }
        return strata;
    }
}
