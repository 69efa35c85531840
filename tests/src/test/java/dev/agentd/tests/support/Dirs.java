package dev.agentd.tests.support;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;

/** Temporary directories for daemons and grants, and their careful removal. */
public final class Dirs {
    private Dirs() {}

    /**
     * A fresh directory below {@code /var/tmp/agentd-it} (short paths, never
     * below {@code /tmp}), mode 0755 so an agent's uid can traverse it.
     */
    public static Path temp(String prefix) throws IOException {
        // Not below the checkout: a daemon root there can make a toolcall socket's
        // path longer than the 107 bytes a Unix socket address holds. Not below
        // /tmp either: a grant there would sit below the agent's own /tmp, whose
        // Landlock rule applies to everything beneath it.
        Path base = Path.of("/var/tmp/agentd-it");
        Files.createDirectories(base);
        Path d = Files.createTempDirectory(base, prefix);
        Files.setPosixFilePermissions(d, PosixFilePermissions.fromString("rwxr-xr-x"));
        return d;
    }

    /** Mount points at or below {@code dir} in this process's mount namespace. */
    public static List<String> mountsBelow(Path dir) throws IOException {
        List<String> out = new ArrayList<>();
        String prefix = dir.toAbsolutePath().normalize().toString();
        for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
            String[] f = line.split(" ");
            String mp = f[4].replace("\\040", " ");
            if (mp.equals(prefix) || mp.startsWith(prefix + "/")) {
                out.add(mp);
            }
        }
        return out;
    }

    /**
     * Deletes {@code dir} recursively, never following symlinks and never
     * crossing into another filesystem: an agent's staging root is a mount
     * point inside its own namespace, and a mistake there must not delete
     * host files through a bind mount.
     */
    public static void deleteRecursively(Path dir) throws IOException {
        if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        List<String> mounts = mountsBelow(dir);
        if (!mounts.isEmpty()) {
            throw new IOException("not deleting " + dir + ": mount points below it in the host namespace: " + mounts);
        }
        Object dev = Files.getAttribute(dir, "unix:dev", LinkOption.NOFOLLOW_LINKS);
        Files.walkFileTree(dir, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path d, BasicFileAttributes attrs) throws IOException {
                if (!dev.equals(Files.getAttribute(d, "unix:dev", LinkOption.NOFOLLOW_LINKS))) {
                    throw new IOException("not deleting " + d + ": another filesystem");
                }
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path f, BasicFileAttributes attrs) throws IOException {
                Files.delete(f);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path d, IOException exc) throws IOException {
                if (exc != null) {
                    throw exc;
                }
                Files.delete(d);
                return FileVisitResult.CONTINUE;
            }
        });
    }
}
