package io.streamnet.engine.cuda;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Set;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where JCuda's native library is written and loaded from: a directory only this user can enter
 * ({@code ~/.cache/streamnet/native}, mode 0700). JCuda on its own writes it to the shared
 * {@code java.io.tmpdir} under a fixed name, and loads whatever file of that name is already
 * there: any local user could plant one and have it run in our process.
 *
 * <p>The library is extracted here from its jar, to a temporary name then moved into place, so a
 * reader never finds it half-written; JCuda is then pointed at this directory (as its
 * {@code java.io.tmpdir}, for the length of the load), where it finds the file and loads it.
 */
final class NativeLibraryDir {
    private static final Logger LOG = LoggerFactory.getLogger(NativeLibraryDir.class);
    static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rwx------");
    /** How long a load waits for another process's before it goes on without the lock. */
    static final Duration LOCK_TIMEOUT = Duration.ofSeconds(60);

    private NativeLibraryDir() {
    }

    /** {@code ~/.cache/streamnet/native}. */
    static Path standard() {
        return Path.of(System.getProperty("user.home"), ".cache", "streamnet", "native");
    }

    /**
     * {@code dir}, created owner-only if absent; an existing one must be a directory (not a link)
     * that this user owns and no one else may enter or write.
     *
     * @throws IOException when it cannot be created, or exists and is not private
     */
    static Path ensurePrivate(Path dir) throws IOException {
        if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
            Files.createDirectories(dir.getParent());
            try {
                Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(OWNER_ONLY));
            } catch (java.nio.file.FileAlreadyExistsException raced) {
                // another process of ours made it first: verified below like any existing one
            }
            // the umask may have taken bits away, never added: set exactly
            Files.setPosixFilePermissions(dir, OWNER_ONLY);
        }
        PosixFileAttributes a = Files.getFileAttributeView(dir, PosixFileAttributeView.class, LinkOption.NOFOLLOW_LINKS)
                .readAttributes();
        if (!a.isDirectory() || a.isSymbolicLink()) {
            throw new IOException(dir + " is not a directory");
        }
        UserPrincipal me = currentUser(dir.getParent());
        if (!a.owner().equals(me)) {
            throw new IOException(dir + " belongs to " + a.owner().getName() + ", not to " + me.getName());
        }
        Set<PosixFilePermission> others = EnumSet.copyOf(a.permissions());
        others.removeAll(OWNER_ONLY);
        if (!others.isEmpty()) {
            throw new IOException(dir + " is open to others (" + PosixFilePermissions.toString(a.permissions())
                    + "); it must be rwx------");
        }
        return dir;
    }

    /** This process's user, as the file system names owners. */
    private static UserPrincipal currentUser(Path near) throws IOException {
        return near.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName(System.getProperty("user.name"));
    }

    /**
     * The standard directory, or, when it cannot be made private (a home that is read-only, or
     * that directory open to others), a fresh owner-only one in the temp dir.
     */
    static Path privateDir() throws IOException {
        Path standard = standard();
        try {
            return ensurePrivate(standard);
        } catch (IOException | UnsupportedOperationException e) {
            Path fresh = Files.createTempDirectory("streamnet-native-", PosixFilePermissions.asFileAttribute(OWNER_ONLY));
            fresh.toFile().deleteOnExit();
            LOG.warn("not using {} for JCuda's native library ({}); using {}", standard, e.getMessage(), fresh);
            return fresh;
        }
    }

    /**
     * Puts the jar's {@code resource} (e.g. {@code /lib/libJCudaDriver-...so}) into {@code dir}
     * under its own name, unless a file there already holds exactly its bytes; the file is
     * written under a temporary name and moved into place.
     *
     * @return the library's path, or null when the resource is not on the classpath
     */
    static Path extract(Path dir, String resource) throws IOException {
        byte[] bytes;
        try (InputStream in = NativeLibraryDir.class.getResourceAsStream(resource)) {
            if (in == null) {
                return null;
            }
            bytes = in.readAllBytes();
        }
        Path target = dir.resolve(resource.substring(resource.lastIndexOf('/') + 1));
        if (Files.isRegularFile(target, LinkOption.NOFOLLOW_LINKS) && Files.size(target) == bytes.length
                && MessageDigest.isEqual(sha256(Files.readAllBytes(target)), sha256(bytes))) {
            return target;
        }
        Path tmp = Files.createTempFile(dir, ".extracting-", ".so",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        try {
            Files.write(tmp, bytes);
            try {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
        return target;
    }

    /**
     * {@code load} with JCuda's native library in a private directory: extracted there under the
     * lock of that directory (waiting at most {@link #LOCK_TIMEOUT}), and {@code java.io.tmpdir}
     * naming that directory while {@code load} runs, so JCuda reads the library from there.
     */
    static <T> T loading(String libraryResource, Supplier<T> load) {
        Path dir;
        try {
            dir = privateDir();
        } catch (IOException e) {
            throw new CudaUnavailableException("no private directory for JCuda's native library: " + e.getMessage());
        }
        return NativeLoadLock.holding(dir, LOCK_TIMEOUT, () -> {
            try {
                extract(dir, libraryResource);
            } catch (IOException e) {
                throw new CudaUnavailableException("cannot extract JCuda's native library into " + dir + ": " + e);
            }
            return withTmpDir(dir, load);
        });
    }

    /**
     * {@code action} with {@code java.io.tmpdir} set to {@code dir}, restored afterwards. JCuda reads
     * the property at the moment it looks for its library; the JDK's own temp files read it once,
     * at their first use, which has mostly happened by now and would land in a private dir if not.
     */
    static <T> T withTmpDir(Path dir, Supplier<T> action) {
        synchronized (NativeLibraryDir.class) {
            String shared = System.getProperty("java.io.tmpdir");
            System.setProperty("java.io.tmpdir", dir.toString());
            try {
                return action.get();
            } finally {
                System.setProperty("java.io.tmpdir", shared);
            }
        }
    }

    private static byte[] sha256(byte[] b) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(b);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
