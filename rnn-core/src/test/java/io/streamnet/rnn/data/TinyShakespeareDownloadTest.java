package io.streamnet.rnn.data;

import static io.streamnet.datasets.DatasetAssumptions.assumeAvailable;
import static org.assertj.core.api.Assertions.assertThat;

import io.streamnet.datasets.LocalFileServer;
import io.streamnet.datasets.PublishedDataset;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The corpus's real file and checksum, through the download path, from a local server standing in for GitHub. */
class TinyShakespeareDownloadTest {
    @Test
    void aCleanMachineDownloadsTheCorpusAndVerifiesItsPublishedChecksum(@TempDir Path home) throws Exception {
        byte[] corpus = Files.readAllBytes(assumeAvailable(TextCorpus::locateTinyShakespeare));
        try (LocalFileServer server = new LocalFileServer().serve(TextCorpus.FILE_NAME, corpus)) {
            Path cache = home.resolve(".cache/streamnet/tinyshakespeare");
            PublishedDataset dataset = TextCorpus.tinyShakespeareSource()
                    .source(PublishedDataset.Source.files(server.baseUrl()))
                    .cacheDir(cache)
                    .searchFrom(null)
                    .timeouts(Duration.ofSeconds(5), Duration.ofSeconds(5))
                    .build();

            Path dir = dataset.locate();

            assertThat(dir).isEqualTo(cache);
            assertThat(TextCorpus.read(dir.resolve(TextCorpus.FILE_NAME))).hasSize(1_115_394);
            assertThat(server.requests()).isEqualTo(1);
            dataset.locate();
            assertThat(server.requests()).as("the cache serves the second look").isEqualTo(1);
        }
    }
}
