package io.streamnet.cli;

import static io.streamnet.datasets.DatasetAssumptions.assumeAvailable;
import static org.assertj.core.api.Assertions.assertThat;

import io.streamnet.rnn.data.SentimentDataset;
import io.streamnet.rnn.data.TextCorpus;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** train -> checkpoint -> eval/sample, as a user runs them, on the real datasets (short schedules). */
class TrainEvalCommandTest {
    private static double number(String out, String label) {
        return Double.parseDouble(out.replaceAll("(?s).*" + label + ":? ([0-9.]+).*", "$1"));
    }

    @Test
    void sentimentCheckpointEvaluatesAnyFileOfTheSameFormat(@TempDir Path dir) throws Exception {
        Path file = assumeAvailable(SentimentDataset::locate).resolve("yelp_labelled.txt");
        Path ckpt = dir.resolve("sentiment.ckpt");
        String out = CliRun.ok("train", "sentiment", "--epochs", "3", "--out", ckpt.toString());
        assertThat(number(out, "test accuracy")).isGreaterThan(0.65);
        String eval = CliRun.ok("eval", "--model", ckpt.toString(), "--data", file.toString());
        assertThat(number(eval, "accuracy")).isGreaterThan(0.6);
    }

    @Test
    void charModelTrainsWithTbpttAndSamples(@TempDir Path dir) throws Exception {
        String full = TextCorpus.read(assumeAvailable(TextCorpus::locateTinyShakespeare));
        Path ckpt = dir.resolve("char.ckpt");
        String out = CliRun.ok("train", "charlm", "--max-chars", "40000", "--hidden", "48", "--layers", "1", "--epochs", "1",
                "--streams", "16", "--k1", "32", "--k2", "48", "--out", ckpt.toString());
        // An untrained model scores ln(vocabulary) ~ 4 nats/char; one short epoch must do clearly better.
        assertThat(number(out, "validation loss")).isLessThan(3.3);
        Path text = dir.resolve("held-out.txt");
        Files.writeString(text, full.substring(full.length() - 3000), StandardCharsets.UTF_8);
        assertThat(number(CliRun.ok("eval", "--model", ckpt.toString(), "--data", text.toString()), "loss")).isLessThan(3.5);
        String sample = CliRun.ok("sample", "--model", ckpt.toString(), "--length", "80", "--prompt", "KING:");
        assertThat(sample).startsWith("KING:").hasSizeGreaterThan(80);
    }
}
