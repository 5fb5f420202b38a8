package io.streamnet.cli.jobs;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * Copies the jars a Flink cluster needs beside its own to run streamnet's jobs (those {@code submit}
 * ships, and the command line's own libraries, which the image's entry class parses its arguments
 * with) into a directory: a job image's {@code /opt/flink/usrlib} (deploy/docker/Dockerfile).
 */
@Command(name = "job-jars", mixinStandardHelpOptions = true,
        description = "Copy the jars a Flink cluster needs beside its own for streamnet's jobs into DIR (a job image's usrlib).")
public final class JobJarsCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "DIR")
    Path dir;

    @Override
    public Integer call() throws Exception {
        Files.createDirectories(dir);
        int n = 0;
        for (String jar : SubmitCommand.jobJars(true)) {
            Path p = Path.of(jar);
            Files.copy(p, dir.resolve(p.getFileName()), StandardCopyOption.REPLACE_EXISTING);
            n++;
        }
        System.out.println(n + " jars in " + dir);
        return 0;
    }
}
