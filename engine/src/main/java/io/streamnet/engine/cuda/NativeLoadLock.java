package io.streamnet.engine.cuda;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serialises the first load of JCuda's native library across the processes of one user (the
 * TaskManagers of one host), in the directory it is loaded from ({@link NativeLibraryDir}): one
 * extracts while the others wait, then find the file complete. The wait is bounded: a process
 * that hangs while holding the lock must not hang every later one. Going on without the lock is
 * safe, since the library is moved into place whole, never written where it is read.
 */
final class NativeLoadLock {
    private static final Logger LOG = LoggerFactory.getLogger(NativeLoadLock.class);
    static final String FILE = "streamnet-jcuda-load.lock";
    private static final long POLL_MS = 50;

    private NativeLoadLock() {
    }

    /**
     * {@code action} under the lock in {@code dir}, once had; without it when it cannot be had
     * (after {@code timeout}, or no lock file can be made).
     */
    static <T> T holding(Path dir, Duration timeout, Supplier<T> action) {
        FileChannel ch;
        FileLock lock = null;
        try {
            ch = FileChannel.open(dir.resolve(FILE), java.util.Set.of(StandardOpenOption.CREATE, StandardOpenOption.WRITE),
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        } catch (IOException | UnsupportedOperationException e) {
            LOG.warn("no lock for loading JCuda's native library ({}); loading without", e.toString());
            return action.get();
        }
        try {
            long deadline = System.nanoTime() + timeout.toNanos();
            while ((lock = ch.tryLock()) == null && System.nanoTime() < deadline) {
                Thread.sleep(POLL_MS);
            }
            if (lock == null) {
                LOG.warn("another process has held {} for over {} s; loading JCuda's native library without it",
                        dir.resolve(FILE), timeout.toSeconds());
            }
        } catch (IOException e) {
            LOG.warn("no lock for loading JCuda's native library ({}); loading without", e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            LOG.warn("interrupted while waiting for the JCuda load lock; loading without it");
        }
        try {
            return action.get();
        } finally {
            try {
                if (lock != null) {
                    lock.release();
                }
                ch.close();
            } catch (IOException e) {
                LOG.debug("closing the JCuda load lock: {}", e.toString());
            }
        }
    }

    /** With the standard timeout. */
    static <T> T holding(Path dir, Supplier<T> action) {
        return holding(dir, NativeLibraryDir.LOCK_TIMEOUT, action);
    }
}
