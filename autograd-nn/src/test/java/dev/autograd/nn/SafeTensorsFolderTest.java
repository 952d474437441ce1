package dev.autograd.nn;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Saving where no file can be created names the folder the user gave, not a hidden temporary file. */
class SafeTensorsFolderTest {

    @TempDir
    Path dir;

    private static Module model() {
        return new Linear(2, 1, new Random(1));
    }

    private static void assertNoTemporaryFileNamed(String msg) {
        assertFalse(msg.contains(".tmp"), () -> "names the temporary file: " + msg);
    }

    @Test
    void aMissingFolderIsNamed() {
        Path target = dir.resolve("x").resolve("y").resolve("model.safetensors");
        UncheckedIOException e = assertThrows(UncheckedIOException.class, () -> SafeTensors.save(model(), target));
        String msg = e.getMessage();
        assertTrue(msg.startsWith("SafeTensors.save: folder " + dir.resolve("x").resolve("y") + " does not exist"
                + " (saving model.safetensors)"), msg);
        assertNoTemporaryFileNamed(msg);
        assertFalse(Files.exists(dir.resolve("x")), "save creates no folder");
    }

    @Test
    void writeNamesTheMissingFolderToo() {
        Path target = dir.resolve("missing").resolve("t.safetensors");
        UncheckedIOException e = assertThrows(UncheckedIOException.class,
                () -> SafeTensors.write(Map.of("w", dev.autograd.Tensor.ones(2)), target));
        assertTrue(e.getMessage().startsWith("SafeTensors.write: folder " + dir.resolve("missing") + " does not exist"),
                e.getMessage());
    }

    @Test
    void aRegularFileInPlaceOfTheFolderIsNamed() throws IOException {
        // fails for root as well: no file can be created under a regular file
        Path file = Files.writeString(dir.resolve("notes.txt"), "not a folder");
        UncheckedIOException e = assertThrows(UncheckedIOException.class,
                () -> SafeTensors.save(model(), file.resolve("model.safetensors")));
        String msg = e.getMessage();
        assertTrue(msg.startsWith("SafeTensors.save: " + file + " is not a folder (saving model.safetensors)"), msg);
        assertNoTemporaryFileNamed(msg);
    }

    @Test
    void aReadOnlyFolderIsNamed() throws IOException {
        assumeTrue(Files.getFileStore(dir).supportsFileAttributeView("posix"), "needs POSIX permissions");
        Path readOnly = Files.createDirectory(dir.resolve("read-only"));
        Files.setPosixFilePermissions(readOnly, PosixFilePermissions.fromString("r-xr-xr-x"));
        try {
            // root (as in some containers and CI) writes anyway: permissions are not enforced for it
            assumeFalse(Files.isWritable(readOnly), "permissions are not enforced for this user (root?)");
            UncheckedIOException e = assertThrows(UncheckedIOException.class,
                    () -> SafeTensors.save(model(), readOnly.resolve("model.safetensors")));
            String msg = e.getMessage();
            assertTrue(msg.startsWith("SafeTensors.save: folder " + readOnly + " is not writable (saving model.safetensors)"),
                    msg);
            assertNoTemporaryFileNamed(msg);
        } finally {
            Files.setPosixFilePermissions(readOnly, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
    }
}
