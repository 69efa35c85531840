package dev.agentd.tests.support;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;

/**
 * Looks at agents' cgroups from the host, straight in {@code /sys/fs/cgroup},
 * without agentd's cgroups library: a test of agentd's cgroup handling must
 * not use the same code to check it.
 *
 * <p>agentd puts an agent in {@code <its own cgroup>/<parent>/agent-<id>} in
 * every hierarchy; the parent of a test daemon is unique to its root
 * directory, so a directory named {@code <parent>} belongs to that daemon only.
 */
public final class CgroupDirs {
    public static final Path ROOT = Path.of("/sys/fs/cgroup");
    private static final int MAX_DEPTH = 10;

    private CgroupDirs() {}

    /** Every directory named {@code name} whose parent directory is named {@code parent}. */
    public static List<Path> find(String parent, String name) {
        List<Path> out = new ArrayList<>();
        try {
            Files.walkFileTree(ROOT, EnumSet.noneOf(java.nio.file.FileVisitOption.class), MAX_DEPTH,
                    new SimpleFileVisitor<>() {
                        @Override
                        public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
                            Path n = dir.getFileName();
                            if (n != null && n.toString().equals(name) && dir.getParent() != null
                                    && dir.getParent().getFileName() != null
                                    && dir.getParent().getFileName().toString().equals(parent)) {
                                out.add(dir);
                                return FileVisitResult.SKIP_SUBTREE;
                            }
                            return FileVisitResult.CONTINUE;
                        }

                        @Override
                        public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                            return FileVisitResult.CONTINUE;
                        }

                        @Override
                        public FileVisitResult visitFileFailed(Path file, IOException exc) {
                            // Cgroups of others come and go while we walk.
                            return FileVisitResult.CONTINUE;
                        }
                    });
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return out;
    }

    /** The directories of the parent cgroup of a daemon ({@code DaemonConfig.cgroupParent()}), in every hierarchy. */
    public static List<Path> parents(String parent) {
        List<Path> out = new ArrayList<>();
        try {
            Files.walkFileTree(ROOT, EnumSet.noneOf(java.nio.file.FileVisitOption.class), MAX_DEPTH,
                    new SimpleFileVisitor<>() {
                        @Override
                        public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
                            if (dir.getFileName() != null && dir.getFileName().toString().equals(parent)) {
                                out.add(dir);
                                return FileVisitResult.SKIP_SUBTREE;
                            }
                            return FileVisitResult.CONTINUE;
                        }

                        @Override
                        public FileVisitResult visitFileFailed(Path file, IOException exc) {
                            return FileVisitResult.CONTINUE;
                        }
                    });
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return out;
    }

    /** The cgroup directories of agent {@code id} of the daemon with cgroup parent {@code parent}. */
    public static List<Path> agent(String parent, String id) {
        return find(parent, "agent-" + id);
    }

    /** The agent's directory in the v1 hierarchy of {@code controller} ({@code /sys/fs/cgroup/<controller>/...}). */
    public static Optional<Path> agent(String parent, String id, String controller) {
        return agent(parent, id).stream().filter(p -> p.startsWith(ROOT.resolve(controller))).findFirst();
    }

    /** Names of the agent cgroups ({@code agent-*}) below a daemon's parent, in any hierarchy. */
    public static TreeSet<String> agentCgroups(String parent) {
        TreeSet<String> names = new TreeSet<>();
        for (Path p : parents(parent)) {
            try (var s = Files.list(p)) {
                s.filter(Files::isDirectory).map(d -> d.getFileName().toString())
                        .filter(n -> n.startsWith("agent-")).forEach(names::add);
            } catch (IOException e) {
                // vanished meanwhile
            }
        }
        return names;
    }

    /** The pids in a v1 or v2 cgroup directory ({@code cgroup.procs}). */
    public static List<Long> procs(Path dir) {
        try {
            List<Long> out = new ArrayList<>();
            for (String l : Files.readAllLines(dir.resolve("cgroup.procs"))) {
                if (!l.isBlank()) {
                    out.add(Long.parseLong(l.trim()));
                }
            }
            return out;
        } catch (NoSuchFileException e) {
            return List.of();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /**
     * Whether {@code pid} is an agent's exit-status keeper: the {@code sleep}
     * agentd puts in the agent's cgroup on Linux ≥ 6.15, in this JVM's pid
     * namespace (every process of the sandbox is in the sandbox's).
     */
    public static boolean isExitKeeper(long pid) {
        String status;
        try {
            status = Files.readString(Path.of("/proc/" + pid + "/status"));
        } catch (IOException e) {
            return false;
        }
        return status.lines().anyMatch(l -> l.equals("Name:\tsleep"))
                && status.lines().anyMatch(l -> l.startsWith("NSpid:") && l.substring(6).strip().split("\\s+").length == 1);
    }

    /** {@code procs} less the exit-status keeper: the sandbox's own processes. */
    public static List<Long> sandboxOnly(List<Long> procs) {
        return procs.stream().filter(p -> !isExitKeeper(p)).toList();
    }

    /** The exit-status keepers among {@code procs}. */
    public static List<Long> exitKeepers(List<Long> procs) {
        return procs.stream().filter(CgroupDirs::isExitKeeper).toList();
    }

    public static String read(Path file) {
        try {
            return Files.readString(file).trim();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /**
     * Test hygiene after a test, whatever agentd did: SIGKILLs whatever is
     * left in the daemon's agent cgroups (only our own agents can be there),
     * then removes those cgroups and the parent. Returns the names of agent
     * cgroups that were still there.
     */
    public static List<String> sweep(String parent, Duration timeout) {
        List<String> leftovers = new ArrayList<>(agentCgroups(parent));
        long deadline = System.nanoTime() + timeout.toNanos();
        for (Path p : parents(parent)) {
            List<Path> dirs = new ArrayList<>();
            try (var s = Files.walk(p)) {
                s.filter(Files::isDirectory).forEach(dirs::add);
            } catch (IOException e) {
                continue;
            }
            dirs.sort(Comparator.comparingInt(Path::getNameCount).reversed());
            for (Path d : dirs) {
                while (true) {
                    List<Long> pids = new ArrayList<>(procs(d));
                    pids.remove(ProcessHandle.current().pid());
                    if (pids.isEmpty() || System.nanoTime() > deadline) {
                        break;
                    }
                    for (long pid : pids) {
                        ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
                    }
                    sleep(20);
                }
                try {
                    Files.deleteIfExists(d);
                } catch (IOException e) {
                    // busy (a task still exiting): leave it, it is named and empty soon
                }
            }
        }
        return leftovers;
    }

    static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
