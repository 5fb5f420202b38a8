package io.streamnet.cli.jobs;

import io.streamnet.serving.model.UpdateSignatures;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** Makes the Ed25519 key pair that signs model updates: the private key for publishers, the public one for jobs. */
@Command(name = "keygen", mixinStandardHelpOptions = true,
        description = "Make an Ed25519 key pair for signed model updates: publish-model --sign-key NAME.key.pem, jobs --update-key NAME.pub.pem.")
public final class KeygenCommand implements Callable<Integer> {
    @Option(names = "--out", defaultValue = "model-updates", description = "File name prefix (default ${DEFAULT-VALUE}): writes PREFIX.key.pem and PREFIX.pub.pem.")
    Path out;

    @Override
    public Integer call() throws Exception {
        Path priv = Path.of(out + ".key.pem");
        Path pub = Path.of(out + ".pub.pem");
        if (Files.exists(priv) || Files.exists(pub)) {
            System.err.println("refusing to overwrite " + priv + " or " + pub);
            return 2;
        }
        if (priv.toAbsolutePath().getParent() != null) {
            Files.createDirectories(priv.toAbsolutePath().getParent());
        }
        UpdateSignatures.write(UpdateSignatures.generate(), pub, priv);
        System.out.printf("wrote %s (private: keep it with the publisher) and %s (public: give it to the jobs)%n",
                priv, pub);
        return 0;
    }
}
