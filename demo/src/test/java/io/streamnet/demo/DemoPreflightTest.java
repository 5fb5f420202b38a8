package io.streamnet.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.streamnet.datasets.DatasetLocator;
import io.streamnet.datasets.DatasetUnavailableException;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The demo's input check: every input it will read, named when missing, before anything runs. */
class DemoPreflightTest {
    @TempDir
    Path root;

    @Test
    void namesEveryMissingInputAtOnce() throws IOException {
        DatasetLocator fashion = DemoInputs.fashionMnistOffline(root);
        Path notADirectory = Files.writeString(root.resolve("file"), "x");
        DemoPreflight check = new DemoPreflight(new DemoPreflight.Sources(() -> {
            throw new DatasetUnavailableException("UCI sentiment files not found", null);
        }, () -> fashion));

        check.sentiment().fashionMnist("frames").modelFile("sentiment model (--model)",
                notADirectory.resolve("sentiment.ckpt"));

        assertThat(check.problems()).hasSize(3);
        assertThat(check.problems().get(0)).startsWith("sentiment sentences: UCI sentiment files not found");
        assertThat(check.problems().get(1)).startsWith("Fashion-MNIST (frames): Fashion-MNIST not found")
                .contains("apt-get install dataset-fashion-mnist");
        assertThat(check.problems().get(2)).startsWith("sentiment model (--model)").contains("cannot be created");
        assertThatThrownBy(check::verify).isInstanceOf(DemoPreflight.InputsMissing.class)
                .hasMessageContaining("3 inputs are missing or unusable").hasMessageContaining("nothing was trained");
    }

    @Test
    void aTakenPortIsNamedWithTheOptionThatSetsIt() throws IOException {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            DemoPreflight check = new DemoPreflight(new DemoPreflight.Sources(() -> DemoInputs.sentimentDir(root),
                    () -> null))
                    .sentiment().port("--dashboard-port", taken.getLocalPort());

            assertThat(check.problems()).singleElement().asString()
                    .startsWith("--dashboard-port " + taken.getLocalPort() + ": 127.0.0.1:" + taken.getLocalPort()
                            + " is taken");
        }
    }

    @Test
    void passesWithTheSentencesReadWhenEverythingIsThere() throws Exception {
        Path dir = DemoInputs.sentimentDir(root);

        DemoPreflight check = new DemoPreflight(new DemoPreflight.Sources(() -> dir, () -> null)).sentiment()
                .modelFile("sentiment model (--model)", root.resolve("models/sentiment.ckpt")).port("--web-port", 0)
                .verify();

        assertThat(check.sentimentDir()).isEqualTo(dir);
        assertThat(check.sentences()).hasSize(6);
        assertThat(root.resolve("models")).isDirectory();
    }
}
