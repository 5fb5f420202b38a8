package io.streamnet.cli.demo;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamnet.datasets.DatasetLocator;
import io.streamnet.demo.DemoInputs;
import io.streamnet.demo.DemoPreflight;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class DemoCommandTest {
    @Test
    void aMissingDatasetStopsTheDemoWithinASecondNamingItBeforeAnythingTrains(@TempDir Path root) throws Exception {
        Path sentiment = DemoInputs.sentimentDir(root);
        DatasetLocator fashion = DemoInputs.fashionMnistOffline(root);
        Path sentimentModel = root.resolve("models/sentiment.ckpt");
        // The frame model is there (so LeNet-5 is not looked for); the sentiment model is not, so
        // without the check the demo would train it first and only then find Fashion-MNIST missing.
        Path framesModel = Files.writeString(Files.createDirectories(root.resolve("models")).resolve("frames.ckpt"), "");
        DemoCommand demo = new DemoCommand();
        demo.sources = new DemoPreflight.Sources(() -> sentiment, () -> fashion);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream oldOut = System.out;
        PrintStream oldErr = System.err;
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        int exit;
        long t0 = System.nanoTime();
        try {
            exit = new CommandLine(demo).execute("--model", sentimentModel.toString(), "--frames-model",
                    framesModel.toString(), "--web-port", "0", "--dashboard-port", "0", "--metrics-port", "-1",
                    "--seconds", "1");
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
        long millis = (System.nanoTime() - t0) / 1_000_000;

        assertThat(exit).isEqualTo(2);
        assertThat(millis).isLessThan(1_000);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("nothing was trained or started")
                .contains("Fashion-MNIST (the cameras' frames; --cameras 0 runs without them): Fashion-MNIST not found");
        assertThat(out.toString(StandardCharsets.UTF_8)).doesNotContain("training");
        assertThat(sentimentModel).doesNotExist();
    }
}
