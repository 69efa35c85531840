package dev.agentd.cgroups;

import dev.agentd.cgroups.internal.CgroupFs;
import dev.agentd.cgroups.internal.Values;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Stands in for the kernel on a temp-dir fixture: records every mkdir, write
 * and rmdir (paths relative to the fixture root) and makes the interface files
 * appear on mkdir, as cgroupfs does.
 *
 * <ul>
 *   <li>v1 (a directory outside {@link #v2Mounts}): a new directory gets a copy of
 *       its parent's files, with {@code cgroup.procs} and {@code tasks} empty.</li>
 *   <li>v2: a new directory gets the core files plus the files of the controllers
 *       its parent enables in {@code cgroup.subtree_control}; reading
 *       {@code cgroup.controllers} below the mount shows the parent's
 *       {@code cgroup.subtree_control}; {@code +ctrl} writes need the controller
 *       to be offered; writing {@code cgroup.freeze} updates {@code cgroup.events}
 *       (unless {@link #freezeNeverCompletes}).</li>
 * </ul>
 */
final class FakeKernel extends CgroupFs {
    final Path root;
    final List<String> log = new ArrayList<>();
    final Set<Path> v2Mounts = new HashSet<>();
    /** Files whose write fails, with the errno text. */
    final Map<Path, String> failWrites = new HashMap<>();
    /** v2 file names left out on mkdir (to model older kernels or missing config). */
    final Set<String> v2Without = new HashSet<>();
    boolean freezeNeverCompletes;
    /** A write to cgroup.kill also removes the cgroup, as an owner cleaning up after its last process would. */
    boolean killRemovesCgroup;

    static final Map<String, Map<String, String>> V2_FILES = new LinkedHashMap<>();

    static {
        V2_FILES.put("", ordered(
                "cgroup.procs", "",
                "cgroup.threads", "",
                "cgroup.controllers", "",
                "cgroup.subtree_control", "",
                "cgroup.events", "populated 0\nfrozen 0\n",
                "cgroup.freeze", "0\n",
                "cgroup.kill", "",
                "cgroup.type", "domain\n",
                "cpu.stat", "usage_usec 0\nuser_usec 0\nsystem_usec 0\n"));
        V2_FILES.put("memory", ordered(
                "memory.max", "max\n",
                "memory.high", "max\n",
                "memory.swap.max", "max\n",
                "memory.current", "0\n",
                "memory.peak", "0\n",
                "memory.events", "low 0\nhigh 0\nmax 0\noom 0\noom_kill 0\noom_group_kill 0\n"));
        V2_FILES.put("pids", ordered("pids.max", "max\n", "pids.current", "0\n"));
        V2_FILES.put("cpu", ordered("cpu.max", "max 100000\n", "cpu.weight", "100\n"));
        V2_FILES.put("io", ordered("io.weight", "default 100\n"));
    }

    FakeKernel(Path root) {
        this.root = root;
    }

    private static Map<String, String> ordered(String... kv) {
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put(kv[i], kv[i + 1]);
        }
        return m;
    }

    String rel(Path p) {
        return root.relativize(p).toString();
    }

    /** The log lines of one kind ("mkdir", "write", "rmdir"). */
    List<String> log(String kind) {
        return log.stream().filter(l -> l.startsWith(kind + " ")).collect(Collectors.toList());
    }

    private boolean isV2(Path p) {
        return v2Mounts.stream().anyMatch(p::startsWith);
    }

    @Override
    public void mkdir(Path dir) throws CgroupException {
        log.add("mkdir " + rel(dir));
        super.mkdir(dir);
        try {
            if (isV2(dir)) {
                Set<String> enabled = Values.words(Files.readString(dir.getParent().resolve("cgroup.subtree_control")));
                for (Map.Entry<String, Map<String, String>> c : V2_FILES.entrySet()) {
                    if (c.getKey().isEmpty() || enabled.contains(c.getKey())) {
                        for (Map.Entry<String, String> f : c.getValue().entrySet()) {
                            if (!v2Without.contains(f.getKey())) {
                                Path file = dir.resolve(f.getKey());
                                String old = Files.exists(file) ? Files.readString(file) : "";
                                Files.writeString(file, old + f.getValue());
                            }
                        }
                    }
                }
            } else {
                try (Stream<Path> files = Files.list(dir.getParent())) {
                    for (Path f : (Iterable<Path>) files.filter(Files::isRegularFile)::iterator) {
                        String name = f.getFileName().toString();
                        boolean members = name.equals("cgroup.procs") || name.equals("tasks");
                        Files.writeString(dir.resolve(name), members ? "" : Files.readString(f));
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void rmdir(Path dir) throws CgroupException {
        log.add("rmdir " + rel(dir));
        try {
            if (!Files.isDirectory(dir)) {
                super.rmdir(dir); // throws NoSuchFile as the kernel would
            }
            String procs = Files.exists(dir.resolve("cgroup.procs")) ? Files.readString(dir.resolve("cgroup.procs")) : "";
            boolean children;
            try (Stream<Path> s = Files.list(dir)) {
                children = s.anyMatch(Files::isDirectory);
            }
            if (!procs.isBlank() || children) {
                throw CgroupException.io("rmdir", dir, null, new FileSystemException(dir.toString(), null, "Device or resource busy"));
            }
            try (Stream<Path> s = Files.list(dir)) {
                for (Path f : (Iterable<Path>) s::iterator) {
                    Files.delete(f);
                }
            }
        } catch (IOException e) {
            if (e instanceof CgroupException) {
                throw (CgroupException) e;
            }
            throw new UncheckedIOException(e);
        }
        super.rmdir(dir);
    }

    @Override
    public void write(Path file, String value) throws CgroupException {
        log.add("write " + rel(file) + " " + value);
        String fail = failWrites.get(file);
        if (fail != null) {
            throw CgroupException.io("write", file, value, new IOException(fail));
        }
        String name = file.getFileName().toString();
        switch (name) {
                case "cgroup.procs":
                case "tasks": {
                    super.write(file, read(file) + value + "\n");
                    return;
                }
                case "cgroup.subtree_control": {
                    Set<String> enabled = new LinkedHashSet<>(Values.words(read(file)));
                    Set<String> offered = Values.words(read(file.resolveSibling("cgroup.controllers")));
                    for (String w : Values.words(value)) {
                        String c = w.substring(1);
                        if (!offered.contains(c)) {
                            throw CgroupException.io("write", file, value, new IOException("No such file or directory"));
                        }
                        if (w.startsWith("+")) {
                            enabled.add(c);
                        } else {
                            enabled.remove(c);
                        }
                    }
                    super.write(file, String.join(" ", enabled) + "\n");
                    return;
                }
                case "cgroup.kill": {
                    super.write(file, value);
                    if (killRemovesCgroup) {
                        try {
                            Fixtures.deleteTree(file.getParent());
                        } catch (IOException e) {
                            throw CgroupException.io("rmdir", file.getParent(), null, e);
                        }
                    }
                    return;
                }
                case "cgroup.freeze": {
                    super.write(file, value);
                    if (!freezeNeverCompletes) {
                        Path events = file.resolveSibling("cgroup.events");
                        super.write(events, read(events).replaceAll("frozen \\d", "frozen " + value.trim()));
                    }
                    return;
                }
                default:
                    super.write(file, value);
            }
    }

    @Override
    public String read(Path file) throws CgroupException {
        if (file.getFileName().toString().equals("cgroup.controllers") && isV2(file)
                && !v2Mounts.contains(file.getParent())) {
            return super.read(file.getParent().getParent().resolve("cgroup.subtree_control"));
        }
        return super.read(file);
    }

    @Override
    public java.util.Optional<String> readIfExists(Path file) throws CgroupException {
        return exists(file) ? java.util.Optional.of(read(file)) : java.util.Optional.empty();
    }

    /** Reads a fixture file, trimmed. */
    String contents(Path file) {
        try {
            return Files.readString(file).trim();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
