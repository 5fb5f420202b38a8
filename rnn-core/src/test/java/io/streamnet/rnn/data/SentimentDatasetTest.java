package io.streamnet.rnn.data;

import static io.streamnet.datasets.DatasetAssumptions.assumeAvailable;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.streamnet.datasets.PublishedDataset;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SentimentDatasetTest {
    @Test
    void splitsOnTheLastTabKeepsNelInsideTheSentenceAndTrims(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("x.txt");
        Files.writeString(f, "A \"quote\ttab\" line  \t1\nsecond\u0085half\t0\r\n", StandardCharsets.UTF_8);
        List<LabelledSentence> s = SentimentDataset.read(f, "x");
        assertThat(s).hasSize(2);
        assertThat(s.get(0).text()).isEqualTo("A \"quote\ttab\" line");
        assertThat(s.get(0).label()).isEqualTo(1);
        assertThat(s.get(1).text()).isEqualTo("second\u0085half");
    }

    @Test
    void aLineWithoutALabelNamesTheLine(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("bad.txt");
        Files.writeString(f, "fine\t1\nno label here\n", StandardCharsets.UTF_8);
        assertThatThrownBy(() -> SentimentDataset.read(f, "bad")).hasMessageContaining("line 2");
    }

    @Test
    void fallsBackToTheBundledCopyWhenNoDirectoryHoldsTheFilesAndTheNetworkIsUnreachable(@TempDir Path home)
            throws Exception {
        URI unreachable;
        try (ServerSocket s = new ServerSocket(0)) {
            unreachable = URI.create("http://127.0.0.1:" + s.getLocalPort() + "/sentiment.zip");
        }
        PublishedDataset offline = SentimentDataset.source()
                .configuredBy(null, null)
                .searchFrom(home.resolve("clone"))
                .cacheDir(home.resolve(".cache/streamnet/sentiment"))
                .source(PublishedDataset.Source.zip(unreachable))
                .build();

        List<LabelledSentence> all = SentimentDataset.loadAll(offline.locate());

        assertThat(all).hasSize(3 * 850);
        assertThat(all.stream().filter(s -> s.label() == 1).count()).isEqualTo(3 * 425);
        assertThat(all.stream().filter(s -> s.source().equals("imdb")).count()).isEqualTo(850);
    }

    @Test
    void theBundledCopyCarriesItsAttributionBesideTheFiles() throws IOException {
        try (var readme = SentimentDataset.class.getResourceAsStream("sentiment/README.md")) {
            assertThat(readme).isNotNull();
            String text = new String(readme.readAllBytes(), StandardCharsets.UTF_8);
            assertThat(text).contains("CC BY 4.0").contains("Kotzias");
        }
    }

    @Test
    void realDataSplitIsStratifiedAndDisjoint() throws Exception {
        List<LabelledSentence> all = SentimentDataset.loadAll(assumeAvailable(SentimentDataset::locate));
        // The project's copy holds 850 lines of each file, the official download all 1000.
        assertThat(all.size()).isIn(3 * 850, 3 * 1000);
        SentimentDataset.Split split = SentimentDataset.split(all, 0.7, 0.15, 7);
        assertThat(split.train().size() + split.validation().size() + split.test().size()).isEqualTo(all.size());
        long positives = split.test().stream().filter(s -> s.label() == 1).count();
        assertThat(positives).isEqualTo(split.test().size() - positives);
        assertThat(SentimentDataset.split(all, 0.7, 0.15, 7).test()).isEqualTo(split.test());
    }

    @Test
    void foldsAreDisjointCoverEverythingAndHoldEachSourcesLabelsEvenly() {
        List<LabelledSentence> all = new java.util.ArrayList<>();
        for (String src : List.of("a", "b")) {
            for (int i = 0; i < 50; i++) {
                all.add(new LabelledSentence(src + i, i % 2, src));
            }
        }
        List<List<LabelledSentence>> folds = SentimentDataset.folds(all, 5, 7);

        assertThat(folds).hasSize(5);
        assertThat(folds.stream().flatMap(List::stream).toList()).containsExactlyInAnyOrderElementsOf(all);
        for (List<LabelledSentence> f : folds) {
            assertThat(f).hasSize(20);
            assertThat(f.stream().filter(x -> x.source().equals("a") && x.label() == 1).count()).isEqualTo(5);
        }
        assertThat(SentimentDataset.folds(all, 5, 7)).isEqualTo(folds);
    }
}
