package io.streamnet.engine.cuda;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * JCuda's native library is loaded from a directory only this user can enter, never from the
 * shared temp dir, where another local user could have planted a file of its fixed name.
 */
class NativeLibraryDirTest {
    @TempDir
    Path tmp;

    @Test
    void aMissingDirectoryIsCreatedOwnerOnly() throws IOException {
        Path dir = NativeLibraryDir.ensurePrivate(tmp.resolve("cache").resolve("native"));

        assertThat(Files.getPosixFilePermissions(dir)).isEqualTo(NativeLibraryDir.OWNER_ONLY);
    }

    @Test
    void anExistingDirectoryOpenToOthersIsRefused() throws IOException {
        Path dir = Files.createDirectory(tmp.resolve("native"));
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxrwxrwx"));

        assertThatThrownBy(() -> NativeLibraryDir.ensurePrivate(dir)).isInstanceOf(IOException.class)
                .hasMessageContaining("open to others");
    }

    @Test
    void aLinkInThePlaceOfTheDirectoryIsRefused() throws IOException {
        Path elsewhere = Files.createDirectory(tmp.resolve("elsewhere"), PosixFilePermissions.asFileAttribute(
                NativeLibraryDir.OWNER_ONLY));
        Path link = Files.createSymbolicLink(tmp.resolve("native"), elsewhere);

        assertThatThrownBy(() -> NativeLibraryDir.ensurePrivate(link)).isInstanceOf(IOException.class)
                .hasMessageContaining("not a directory");
    }

    @Test
    void anExistingDirectoryOfAnotherUserIsRefused() throws Exception {
        Path dir = Files.createDirectory(tmp.resolve("native"), PosixFilePermissions.asFileAttribute(
                NativeLibraryDir.OWNER_ONLY));
        UserPrincipal nobody;
        try {
            nobody = dir.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("nobody");
            Files.setOwner(dir, nobody);
        } catch (IOException notRoot) {
            Assumptions.abort("cannot give a directory to another user here: " + notRoot);
            return;
        }

        assertThatThrownBy(() -> NativeLibraryDir.ensurePrivate(dir)).isInstanceOf(IOException.class)
                .hasMessageContaining("belongs to nobody");
    }

    @Test
    void theLibraryIsExtractedWholeAndAStaleCopyIsReplaced() throws IOException {
        String resource = CudaContext.driverLibraryResource();
        byte[] expected;
        try (InputStream in = getClass().getResourceAsStream(resource)) {
            Assumptions.assumeTrue(in != null, "no JCuda native library for this platform: " + resource);
            expected = in.readAllBytes();
        }
        Path dir = NativeLibraryDir.ensurePrivate(tmp.resolve("native"));
        Path lib = dir.resolve(resource.substring(resource.lastIndexOf('/') + 1));
        Files.write(lib, new byte[] {1, 2, 3}); // a half-written one from an older build

        assertThat(NativeLibraryDir.extract(dir, resource)).isEqualTo(lib);
        assertThat(Files.readAllBytes(lib)).isEqualTo(expected);
        try (Stream<Path> files = Files.list(dir)) {
            assertThat(files.toList()).containsExactly(lib); // no temporary left behind
        }
    }

    @Test
    void whileLoadingTheTempDirIsThePrivateOneAndIsRestoredAfter() {
        String shared = System.getProperty("java.io.tmpdir");

        String during = NativeLibraryDir.withTmpDir(tmp, () -> System.getProperty("java.io.tmpdir"));

        assertThat(during).isEqualTo(tmp.toString());
        assertThat(System.getProperty("java.io.tmpdir")).isEqualTo(shared);
    }

    /**
     * The whole probe in a JVM of its own whose shared temp dir holds a file of the library's name,
     * as another user would plant it: the probe neither writes there nor reads it, and loads from
     * the private directory under its home.
     */
    @Test
    void theCudaProbeNeitherWritesNorLoadsFromTheSharedTempDir() throws Exception {
        String resource = CudaContext.driverLibraryResource();
        Assumptions.assumeTrue(getClass().getResource(resource) != null, "no JCuda native library here");
        String name = resource.substring(resource.lastIndexOf('/') + 1);
        Path shared = Files.createDirectory(tmp.resolve("shared-tmp"));
        Path planted = Files.writeString(shared.resolve(name), "planted by another user");
        Path home = Files.createDirectory(tmp.resolve("home"));

        Process child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Djava.io.tmpdir=" + shared, "-Duser.home=" + home, "-cp", System.getProperty("java.class.path"),
                Probe.class.getName()).redirectErrorStream(true).start();
        String out = new String(child.getInputStream().readAllBytes());
        assertThat(child.waitFor(60, TimeUnit.SECONDS)).isTrue();

        assertThat(out).as("what the probe said").doesNotContain(shared.toString()); // the planted file was never loaded
        try (Stream<Path> files = Files.list(shared)) {
            assertThat(files.toList()).as("the shared temp dir after the probe").containsExactly(planted);
        }
        Path dir = home.resolve(".cache/streamnet/native");
        assertThat(Files.getPosixFilePermissions(dir, LinkOption.NOFOLLOW_LINKS)).isEqualTo(NativeLibraryDir.OWNER_ONLY);
        assertThat(Files.exists(dir.resolve(name))).isTrue();
        assertThat(List.of(out.split("\n"))).anySatisfy(l -> assertThat(l).startsWith("cuda: "));
    }

    /** Probes CUDA (available or not) and prints the verdict. */
    public static final class Probe {
        public static void main(String[] args) {
            var a = CudaContext.availability();
            System.out.println("cuda: " + (a.available() ? "yes" : "no") + ": " + a.reason());
        }
    }
}
