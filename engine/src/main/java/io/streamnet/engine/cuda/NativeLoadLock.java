package io.streamnet.engine.cuda;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serialises the first load of JCuda's native libraries across the processes of one machine.
 * JCuda writes each library to {@code java.io.tmpdir} under a fixed name unless the file exists,
 * then loads it: a second process starting at the same moment (TaskManagers of one host) finds
 * the file half-written, maps it, and dies of SIGBUS. Held across the load, a lock file in the
 * same directory makes the second process wait for a complete file.
 */
final class NativeLoadLock {
    private static final Logger LOG = LoggerFactory.getLogger(NativeLoadLock.class);
    static final String FILE = "streamnet-jcuda-load.lock";

    private NativeLoadLock() {
    }

    /** {@code action} under the machine-wide lock in {@code dir} (without it, if the lock cannot be had). */
    static <T> T holding(Path dir, Supplier<T> action) {
        FileChannel ch;
        FileLock lock;
        try {
            ch = FileChannel.open(dir.resolve(FILE), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            lock = ch.lock();
        } catch (IOException e) {
            LOG.warn("no lock for loading JCuda's native libraries ({}); loading without", e.toString());
            return action.get();
        }
        try {
            return action.get();
        } finally {
            try {
                lock.release();
                ch.close();
            } catch (IOException e) {
                LOG.debug("closing the JCuda load lock: {}", e.toString());
            }
        }
    }

    static <T> T holding(Supplier<T> action) {
        return holding(Path.of(System.getProperty("java.io.tmpdir")), action);
    }
}
