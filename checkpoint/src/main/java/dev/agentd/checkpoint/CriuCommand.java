package dev.agentd.checkpoint;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Command lines for {@code criu dump}, {@code criu pre-dump} and {@code criu restore}.
 * Pure: builds argv lists, runs nothing.
 *
 * <pre>{@code
 * List<String> argv = CriuCommand.dump(criu.path(), pid, imagesDir)
 *         .logFile(imagesDir.resolve("dump.log"))
 *         .leaveRunning(true)
 *         .externalUnixSocket(4242)
 *         .build();
 * }</pre>
 *
 * <p>Every command logs at {@code -v4} (CRIU's most verbose level): the log is what
 * {@link CriuLog} mines when a dump or restore fails, and it is useless at lower
 * levels. The argument order is fixed (not the order of the builder calls), except
 * that repeatable options keep their call order. A relative {@link Dump#logFile
 * log file} is resolved by CRIU against its work directory, which defaults to the
 * images directory.
 */
public final class CriuCommand {

    /** {@code --manage-cgroups} modes CRIU knows. */
    static final Set<String> CGROUP_MODES = Set.of("none", "props", "soft", "full", "strict", "ignore");

    private CriuCommand() {
    }

    /** {@code criu dump -t PID -D IMAGES_DIR -v4 ...}: checkpoint the process tree rooted at {@code pid}. */
    public static Dump dump(Path criu, int pid, Path imagesDir) {
        return new Dump("dump", criu, pid, imagesDir);
    }

    /**
     * {@code criu pre-dump -t PID -D IMAGES_DIR -v4 ...}: copy memory while the tree keeps
     * running, so the final dump only copies what changed (use with
     * {@link Dump#trackMem} and {@link Dump#prevImagesDir}).
     */
    public static Dump preDump(Path criu, int pid, Path imagesDir) {
        return new Dump("pre-dump", criu, pid, imagesDir);
    }

    /** {@code criu restore -D IMAGES_DIR -v4 ...}: recreate the process tree from images. */
    public static Restore restore(Path criu, Path imagesDir) {
        return new Restore(criu, imagesDir);
    }

    /** Builder for {@code criu dump} and {@code criu pre-dump} command lines. */
    public static final class Dump {
        private final String action;
        private final Path criu;
        private final int pid;
        private final Path imagesDir;
        private Path logFile;
        private boolean leaveRunning;
        private boolean trackMem;
        private String prevImagesDir;
        private Path freezeCgroup;
        private String manageCgroups;
        private final List<String> externals = new ArrayList<>();
        private final List<String> extra = new ArrayList<>();

        private Dump(String action, Path criu, int pid, Path imagesDir) {
            if (pid <= 0) {
                throw new IllegalArgumentException("pid to " + action + " must be positive, got " + pid);
            }
            this.action = action;
            this.criu = Objects.requireNonNull(criu, "criu");
            this.pid = pid;
            this.imagesDir = Objects.requireNonNull(imagesDir, "imagesDir");
        }

        /** {@code -o LOG}: where CRIU writes its log. */
        public Dump logFile(Path logFile) {
            this.logFile = Objects.requireNonNull(logFile, "logFile");
            return this;
        }

        /** {@code --leave-running}: keep the tree running after the dump instead of killing it. */
        public Dump leaveRunning(boolean leaveRunning) {
            this.leaveRunning = leaveRunning;
            return this;
        }

        /** {@code --track-mem}: start dirty-memory tracking so the next dump can be incremental. */
        public Dump trackMem(boolean trackMem) {
            this.trackMem = trackMem;
            return this;
        }

        /**
         * {@code --prev-images-dir DIR}: the previous (pre-)dump's images, so only changed
         * memory is written. CRIU resolves a relative path against the images directory
         * (typically {@code ../pre-1}).
         */
        public Dump prevImagesDir(String relativeOrAbsolute) {
            this.prevImagesDir = requireText(relativeOrAbsolute, "prevImagesDir");
            return this;
        }

        /**
         * {@code --external unix[INODE]}: a unix socket whose peer is outside the dumped
         * tree (e.g. agentd's toolcall socket); restore must hand it back with
         * {@link Restore#inheritFd}. Repeatable.
         */
        public Dump externalUnixSocket(long inode) {
            if (inode <= 0) {
                throw new IllegalArgumentException("unix socket inode must be positive, got " + inode);
            }
            externals.add("unix[" + inode + "]");
            return this;
        }

        /**
         * {@code --external SPEC}, verbatim: any external resource CRIU accepts, e.g.
         * {@code file[mnt_id:inode]}, {@code mnt[/path]:key}, {@code dev[maj/min]:key}. Repeatable.
         */
        public Dump external(String spec) {
            externals.add(requireText(spec, "external"));
            return this;
        }

        /** {@code --freeze-cgroup PATH}: freeze the tree through this cgroup instead of with ptrace. */
        public Dump freezeCgroup(Path cgroupDir) {
            this.freezeCgroup = Objects.requireNonNull(cgroupDir, "cgroupDir");
            return this;
        }

        /** {@code --manage-cgroups=MODE}; MODE is one of none, props, soft, full, strict, ignore. */
        public Dump manageCgroups(String mode) {
            this.manageCgroups = requireCgroupMode(mode);
            return this;
        }

        /** Arguments appended verbatim after all others. */
        public Dump extra(String... args) {
            addExtra(extra, args);
            return this;
        }

        /** The argv, first element the criu binary. */
        public List<String> build() {
            List<String> argv = new ArrayList<>(List.of(
                    criu.toString(), action, "-t", Integer.toString(pid), "-D", imagesDir.toString(), "-v4"));
            if (logFile != null) {
                argv.addAll(List.of("-o", logFile.toString()));
            }
            if (leaveRunning) {
                argv.add("--leave-running");
            }
            if (trackMem) {
                argv.add("--track-mem");
            }
            if (prevImagesDir != null) {
                argv.addAll(List.of("--prev-images-dir", prevImagesDir));
            }
            if (freezeCgroup != null) {
                argv.addAll(List.of("--freeze-cgroup", freezeCgroup.toString()));
            }
            if (manageCgroups != null) {
                argv.add("--manage-cgroups=" + manageCgroups);
            }
            for (String external : externals) {
                argv.addAll(List.of("--external", external));
            }
            argv.addAll(extra);
            return List.copyOf(argv);
        }
    }

    /** Builder for {@code criu restore} command lines. */
    public static final class Restore {
        private final Path criu;
        private final Path imagesDir;
        private Path logFile;
        private boolean detached;
        private Path pidFile;
        private boolean extUnixSk;
        private String manageCgroups;
        private final List<String> cgroupRoots = new ArrayList<>();
        private final List<String> inheritFds = new ArrayList<>();
        private final List<String> extra = new ArrayList<>();

        private Restore(Path criu, Path imagesDir) {
            this.criu = Objects.requireNonNull(criu, "criu");
            this.imagesDir = Objects.requireNonNull(imagesDir, "imagesDir");
        }

        /** {@code -o LOG}: where CRIU writes its log. */
        public Restore logFile(Path logFile) {
            this.logFile = Objects.requireNonNull(logFile, "logFile");
            return this;
        }

        /**
         * {@code -d}: criu exits once the tree is restored instead of waiting for it,
         * so the restored root is reparented (to agentd when it is a subreaper).
         */
        public Restore detached() {
            this.detached = true;
            return this;
        }

        /** {@code --pidfile FILE}: where criu writes the restored root's pid. */
        public Restore pidFile(Path pidFile) {
            this.pidFile = Objects.requireNonNull(pidFile, "pidFile");
            return this;
        }

        /**
         * {@code --inherit-fd fd[FD]:KEY}: hand criu's descriptor {@code fd} to the restored
         * tree in place of the resource named {@code key}, e.g. {@code socket:[12345]} for a
         * socket dumped with {@link Dump#externalUnixSocket}. Repeatable.
         */
        public Restore inheritFd(int fd, String key) {
            if (fd < 0) {
                throw new IllegalArgumentException("inherited fd must not be negative, got " + fd);
            }
            inheritFds.add("fd[" + fd + "]:" + requireText(key, "inheritFd key"));
            return this;
        }

        /** {@code --ext-unix-sk}: allow restoring unix sockets connected to peers outside the tree. */
        public Restore extUnixSk() {
            this.extUnixSk = true;
            return this;
        }

        /** {@code --manage-cgroups=MODE}; MODE is one of none, props, soft, full, strict, ignore. */
        public Restore manageCgroups(String mode) {
            this.manageCgroups = requireCgroupMode(mode);
            return this;
        }

        /**
         * {@code --cgroup-root CONTROLLER:/PATH}: restore into this cgroup instead of the one
         * recorded at dump time. The controller prefix is always written, so one root per
         * controller can be given. Repeatable.
         *
         * @param controller e.g. {@code memory}, {@code cpu,cpuacct}
         * @param path an absolute path inside the controller's hierarchy
         */
        public Restore cgroupRoot(String controller, String path) {
            requireText(controller, "cgroup controller");
            if (controller.contains(":") || controller.chars().anyMatch(Character::isWhitespace)) {
                throw new IllegalArgumentException("cgroup controller must not contain ':' or spaces: \"" + controller + "\"");
            }
            if (path == null || !path.startsWith("/")) {
                throw new IllegalArgumentException("cgroup root must be an absolute path inside the hierarchy, got \"" + path + "\"");
            }
            cgroupRoots.add(controller + ":" + path);
            return this;
        }

        /** Arguments appended verbatim after all others. */
        public Restore extra(String... args) {
            addExtra(extra, args);
            return this;
        }

        /** The argv, first element the criu binary. */
        public List<String> build() {
            List<String> argv = new ArrayList<>(List.of(
                    criu.toString(), "restore", "-D", imagesDir.toString(), "-v4"));
            if (logFile != null) {
                argv.addAll(List.of("-o", logFile.toString()));
            }
            if (detached) {
                argv.add("-d");
            }
            if (pidFile != null) {
                argv.addAll(List.of("--pidfile", pidFile.toString()));
            }
            if (extUnixSk) {
                argv.add("--ext-unix-sk");
            }
            if (manageCgroups != null) {
                argv.add("--manage-cgroups=" + manageCgroups);
            }
            for (String root : cgroupRoots) {
                argv.addAll(List.of("--cgroup-root", root));
            }
            for (String inherit : inheritFds) {
                argv.addAll(List.of("--inherit-fd", inherit));
            }
            argv.addAll(extra);
            return List.copyOf(argv);
        }
    }

    private static String requireCgroupMode(String mode) {
        if (mode == null || !CGROUP_MODES.contains(mode)) {
            throw new IllegalArgumentException("unknown --manage-cgroups mode \"" + mode
                    + "\": expected one of none, props, soft, full, strict, ignore");
        }
        return mode;
    }

    private static String requireText(String value, String what) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(what + " must not be empty");
        }
        return value;
    }

    private static void addExtra(List<String> into, String... args) {
        for (String arg : Objects.requireNonNull(args, "args")) {
            into.add(Objects.requireNonNull(arg, "extra argument"));
        }
    }
}
