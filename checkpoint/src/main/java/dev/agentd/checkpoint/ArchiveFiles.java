package dev.agentd.checkpoint;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * File-system steps shared by export and import: owner-only permissions, fsync,
 * cleanup. Checkpoint images hold a process's memory, secrets included, so
 * nothing here is ever readable by other users.
 */
final class ArchiveFiles {

    static final FileAttribute<Set<PosixFilePermission>> OWNER_ONLY_FILE =
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"));
    static final FileAttribute<Set<PosixFilePermission>> OWNER_ONLY_DIRECTORY =
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------"));

    private ArchiveFiles() {
    }

    /**
     * fsyncs a directory so a rename into it survives a crash. Best effort: some
     * file systems refuse to open or sync directories, and the data itself is
     * already synced by then.
     */
    static void forceDirectory(Path dir) {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException | UnsupportedOperationException ignored) {
            // durability only; see above
        }
    }

    /** fsyncs every directory under and including {@code root} (files are synced as they are written). */
    static void forceDirectories(Path root) throws IOException {
        Files.walkFileTree(root, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult postVisitDirectory(Path dir, IOException e) throws IOException {
                if (e != null) {
                    throw e;
                }
                forceDirectory(dir);
                return FileVisitResult.CONTINUE;
            }
        });
    }

    /** Deletes a tree without following symbolic links; failures are attached to {@code failure}. */
    static void deleteQuietly(Path root, Throwable failure) {
        try {
            if (!Files.exists(root, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                return;
            }
            Files.walkFileTree(root, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    Files.delete(file);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path dir, IOException e) throws IOException {
                    Files.delete(dir);
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            if (failure != null) {
                failure.addSuppressed(new IOException("could not remove " + root + " after the failure", e));
            }
        }
    }
}
