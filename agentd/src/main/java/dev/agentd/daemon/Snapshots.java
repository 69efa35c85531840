package dev.agentd.daemon;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.stream.Stream;

/** File-tree copies for checkpoints: what CRIU does not save (workspace, /tmp), with owners and modes. */
final class Snapshots {
    private Snapshots() {}

    /**
     * Copies the tree below {@code from} into {@code to} (created if missing),
     * keeping owners, modes and modification times; symbolic links are copied
     * as links, never followed; sockets and FIFOs are skipped (their owners
     * recreate them).
     */
    static void copyTree(Path from, Path to) throws IOException {
        Files.createDirectories(to);
        try (Stream<Path> walk = Files.walk(from)) {
            for (Path src : (Iterable<Path>) walk::iterator) {
                Path rel = from.relativize(src);
                Path dst = rel.toString().isEmpty() ? to : to.resolve(rel.toString());
                if (Files.isSymbolicLink(src)) {
                    Files.deleteIfExists(dst);
                    Files.createSymbolicLink(dst, Files.readSymbolicLink(src));
                } else if (Files.isDirectory(src, LinkOption.NOFOLLOW_LINKS)) {
                    if (!Files.isDirectory(dst, LinkOption.NOFOLLOW_LINKS)) {
                        Files.createDirectory(dst);
                    }
                } else if (Files.isRegularFile(src, LinkOption.NOFOLLOW_LINKS)) {
                    Files.copy(src, dst, StandardCopyOption.COPY_ATTRIBUTES, StandardCopyOption.REPLACE_EXISTING);
                } else {
                    continue;
                }
                Files.setAttribute(dst, "unix:uid", Files.getAttribute(src, "unix:uid", LinkOption.NOFOLLOW_LINKS),
                        LinkOption.NOFOLLOW_LINKS);
                Files.setAttribute(dst, "unix:gid", Files.getAttribute(src, "unix:gid", LinkOption.NOFOLLOW_LINKS),
                        LinkOption.NOFOLLOW_LINKS);
                if (!Files.isSymbolicLink(src)) {
                    Files.setAttribute(dst, "unix:mode", Files.getAttribute(src, "unix:mode"));
                    Files.setLastModifiedTime(dst, Files.getLastModifiedTime(src));
                }
            }
        }
    }

    /** Bytes of regular files below {@code dir}. */
    static long size(Path dir) throws IOException {
        try (Stream<Path> walk = Files.walk(dir)) {
            long total = 0;
            for (Path p : (Iterable<Path>) walk::iterator) {
                if (Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
                    total += Files.size(p);
                }
            }
            return total;
        }
    }

    /** Removes {@code dir} and everything below it; missing is fine. */
    static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) walk.sorted(Comparator.reverseOrder())::iterator) {
                Files.deleteIfExists(p);
            }
        }
    }

    /** The file of a checkpoint that records its snapshots' owners and modes (archives keep neither). */
    static final String ATTRIBUTES = "attributes.json";

    /**
     * Writes {@link #ATTRIBUTES} in {@code checkpointDir}: uid, gid and mode of
     * every file and directory below the given parts of it. CRIU checks the mode
     * of every file it reopens, so an imported checkpoint must get them back.
     */
    static void writeAttributes(Path checkpointDir, java.util.List<String> parts) throws IOException {
        com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper();
        com.fasterxml.jackson.databind.node.ObjectNode all = json.createObjectNode();
        for (String part : parts) {
            try (Stream<Path> walk = Files.walk(checkpointDir.resolve(part))) {
                for (Path p : (Iterable<Path>) walk::iterator) {
                    if (Files.isSymbolicLink(p)) {
                        continue;
                    }
                    com.fasterxml.jackson.databind.node.ObjectNode a = all.putObject(checkpointDir.relativize(p).toString());
                    a.put("uid", (Integer) Files.getAttribute(p, "unix:uid", LinkOption.NOFOLLOW_LINKS));
                    a.put("gid", (Integer) Files.getAttribute(p, "unix:gid", LinkOption.NOFOLLOW_LINKS));
                    a.put("mode", (Integer) Files.getAttribute(p, "unix:mode", LinkOption.NOFOLLOW_LINKS) & 07777);
                }
            }
        }
        Files.writeString(checkpointDir.resolve(ATTRIBUTES), json.writeValueAsString(all));
    }

    /**
     * Applies {@link #ATTRIBUTES} to the files of an imported checkpoint; files it
     * does not name get {@code uid} and mode 0600 (0700 for directories).
     *
     * @throws IOException when the file is malformed or names a path outside the checkpoint
     */
    static void applyAttributes(Path checkpointDir, java.util.List<String> parts, int uid) throws IOException {
        com.fasterxml.jackson.databind.JsonNode all = Files.exists(checkpointDir.resolve(ATTRIBUTES))
                ? new com.fasterxml.jackson.databind.ObjectMapper().readTree(checkpointDir.resolve(ATTRIBUTES).toFile())
                : new com.fasterxml.jackson.databind.ObjectMapper().createObjectNode();
        for (String part : parts) {
            try (Stream<Path> walk = Files.walk(checkpointDir.resolve(part))) {
                for (Path p : (Iterable<Path>) walk::iterator) {
                    if (Files.isSymbolicLink(p)) {
                        continue;
                    }
                    com.fasterxml.jackson.databind.JsonNode a = all.path(checkpointDir.relativize(p).toString());
                    boolean dir = Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS);
                    Files.setAttribute(p, "unix:uid", a.path("uid").asInt(uid), LinkOption.NOFOLLOW_LINKS);
                    Files.setAttribute(p, "unix:gid", a.path("gid").asInt(uid), LinkOption.NOFOLLOW_LINKS);
                    Files.setAttribute(p, "unix:mode", a.path("mode").asInt(dir ? 0700 : 0600), LinkOption.NOFOLLOW_LINKS);
                }
            }
        }
    }
}
