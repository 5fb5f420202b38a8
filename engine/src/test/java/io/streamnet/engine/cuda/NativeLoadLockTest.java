package io.streamnet.engine.cuda;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** While one process loads JCuda's libraries, another of the same machine cannot take the lock. */
class NativeLoadLockTest {
    @TempDir
    Path dir;

    @Test
    void anotherProcessCannotTakeTheLockWhileOneLoads() throws Exception {
        Process child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
                System.getProperty("java.class.path"), Holder.class.getName(), dir.toString())
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream()));
             FileChannel ch = FileChannel.open(dir.resolve(NativeLoadLock.FILE), StandardOpenOption.CREATE,
                     StandardOpenOption.WRITE)) {
            assertThat(out.readLine()).isEqualTo("loading");
            assertThat(ch.tryLock()).as("held by the loading process").isNull();
            child.getOutputStream().write('\n');
            child.getOutputStream().flush();
            assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
            try (FileLock mine = ch.tryLock()) {
                assertThat(mine).as("free once its load finished").isNotNull();
            }
        } finally {
            child.destroyForcibly();
        }
    }

    @Test
    void aLockHeldPastTheTimeoutIsGivenUpOnAndTheLoadGoesOn() throws Exception {
        Process child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
                System.getProperty("java.class.path"), Holder.class.getName(), dir.toString())
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream()))) {
            assertThat(out.readLine()).isEqualTo("loading"); // and holding the lock until told

            long start = System.nanoTime();
            String loaded = assertTimeoutPreemptively(Duration.ofSeconds(20),
                    () -> NativeLoadLock.holding(dir, Duration.ofSeconds(1), () -> "loaded"));

            assertThat(loaded).isEqualTo("loaded");
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
        } finally {
            child.destroyForcibly();
        }
    }

    /** A process "loading" under the lock until its standard input gives a line. */
    public static final class Holder {
        public static void main(String[] args) {
            NativeLoadLock.holding(Path.of(args[0]), () -> {
                System.out.println("loading");
                System.out.flush();
                try {
                    return new BufferedReader(new InputStreamReader(System.in)).readLine();
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
        }
    }
}
