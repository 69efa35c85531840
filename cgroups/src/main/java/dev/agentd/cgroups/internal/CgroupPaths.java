package dev.agentd.cgroups.internal;

import dev.agentd.cgroups.CgroupException;
import java.nio.file.Path;
import java.util.List;

/** Validation and resolution of cgroup names and parents. */
public final class CgroupPaths {
    private CgroupPaths() {}

    /** NAME_MAX of most filesystems, kernfs included (include/uapi/linux/limits.h). */
    private static final int NAME_MAX = 255;

    /**
     * Checks that {@code name} is one directory name a cgroup can have.
     *
     * @throws IllegalArgumentException otherwise
     */
    public static String checkName(String name) {
        if (name == null || name.isEmpty() || name.equals(".") || name.equals("..") || name.indexOf('/') >= 0
                || name.indexOf('\n') >= 0 || name.indexOf('\0') >= 0 || name.length() > NAME_MAX) {
            throw new IllegalArgumentException("invalid cgroup name \"" + name
                    + "\": expected one path component (no '/', not '.' or '..', at most " + NAME_MAX + " characters)");
        }
        return name;
    }

    /**
     * Checks a parent: {@code a/b} (relative to the own cgroup) or {@code /a/b}
     * (absolute). {@code /} alone is the hierarchy root.
     *
     * @throws IllegalArgumentException otherwise
     */
    public static String checkParent(String parent) {
        if (parent == null || parent.isEmpty()) {
            throw new IllegalArgumentException("invalid cgroup parent \"" + parent + "\": expected a path such as agentd or /agentd");
        }
        String rel = parent.startsWith("/") ? parent.substring(1) : parent;
        if (!rel.isEmpty()) {
            for (String c : rel.split("/", -1)) {
                try {
                    checkName(c);
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("invalid cgroup parent \"" + parent + "\": component \"" + c
                            + "\" is not a valid directory name");
                }
            }
        }
        return parent;
    }

    /**
     * The parent's directory in one hierarchy mounted at {@code mountPoint},
     * where this process sits at {@code ownPath} (relative to the mount).
     */
    public static Path parentDir(Path mountPoint, String ownPath, String parent) {
        String base = parent.startsWith("/") ? "" : ownPath;
        Path dir = mountPoint;
        for (String part : (base + "/" + parent).split("/")) {
            if (!part.isEmpty()) {
                dir = dir.resolve(part);
            }
        }
        return dir;
    }

    /**
     * {@code path} (from {@code /proc/self/cgroup}) relative to the mount's
     * {@code root}, or {@code null} if the mount does not contain it (a bind
     * mount of some other subtree).
     */
    public static String relativeTo(String root, String path) {
        if (root.equals("/")) {
            return path;
        }
        if (path.equals(root)) {
            return "/";
        }
        if (path.startsWith(root + "/")) {
            return path.substring(root.length());
        }
        return null;
    }

    /** Called for each directory from the mount point down to a target. */
    @FunctionalInterface
    public interface LevelVisitor {
        void visit(Path dir) throws CgroupException;
    }

    /**
     * Creates the missing directories from {@code mountPoint} (exclusive) down
     * to {@code dir} (inclusive), calling {@code visitor} on every level from the
     * mount point down, each before the next level is created (v2 enables
     * controllers there). A directory created concurrently by someone else is fine.
     */
    public static void ensureDirs(CgroupFs fs, Path mountPoint, Path dir, LevelVisitor visitor) throws CgroupException {
        Path cur = mountPoint;
        visitor.visit(cur);
        for (Path part : mountPoint.relativize(dir)) {
            cur = cur.resolve(part.toString());
            if (!fs.exists(cur)) {
                try {
                    fs.mkdir(cur);
                } catch (CgroupException e) {
                    if (!fs.exists(cur)) {
                        throw e;
                    }
                }
            }
            visitor.visit(cur);
        }
    }

    /**
     * Removes the directories a failed creation made, newest first, and
     * attaches any failure to {@code primary} as suppressed: the caller rethrows
     * {@code primary}, which says what went wrong in the first place.
     */
    public static void rollback(CgroupFs fs, List<Path> created, Throwable primary) {
        for (int i = created.size() - 1; i >= 0; i--) {
            try {
                fs.rmdir(created.get(i));
            } catch (CgroupException e) {
                primary.addSuppressed(e);
            }
        }
    }

    /**
     * Removes {@code dirs} (those that still exist), trying every one; throws
     * the first failure with the others suppressed.
     */
    public static void removeAll(CgroupFs fs, List<Path> dirs) throws CgroupException {
        CgroupException first = null;
        for (Path d : dirs) {
            try {
                if (fs.exists(d)) {
                    fs.rmdir(d);
                }
            } catch (CgroupException e) {
                if (first == null) {
                    first = e;
                } else {
                    first.addSuppressed(e);
                }
            }
        }
        if (first != null) {
            throw first;
        }
    }
}
