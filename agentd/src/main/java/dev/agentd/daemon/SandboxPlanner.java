package dev.agentd.daemon;

import dev.agentd.cgroups.Cgroup;
import dev.agentd.manifest.LandlockMode;
import dev.agentd.manifest.Manifest;
import dev.agentd.manifest.NetworkMode;
import dev.agentd.manifest.PathGrant;
import dev.agentd.spawner.BindMount;
import dev.agentd.spawner.PathAccess;
import dev.agentd.spawner.SandboxSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Turns a manifest into a {@link SandboxSpec}: the one place that decides
 * what an agent's filesystem view and Landlock rules are.
 *
 * <p>Every agent sees the host's system directories read-only and executable
 * ({@link #SYSTEM}: programs and their libraries, nothing of /etc but the
 * loader cache), its own {@code /workspace} read-write, a private {@code /tmp},
 * a minimal {@code /dev} and a {@code /proc} of its own processes. Everything
 * else comes from the manifest's {@code filesystem} grants, enforced twice: by
 * the mount view (what is not mounted does not exist) and by Landlock.
 */
final class SandboxPlanner {
    /** System paths every sandbox gets read-only, where they exist on the host. */
    static final List<Path> SYSTEM = List.of(Path.of("/usr"), Path.of("/bin"), Path.of("/sbin"), Path.of("/lib"),
            Path.of("/lib32"), Path.of("/lib64"), Path.of("/libx32"), Path.of("/etc/ld.so.cache"),
            Path.of("/etc/alternatives"));
    static final Path WORKSPACE = Path.of("/workspace");
    /** The sandbox's own /tmp, a tmpfs with a read-write rule. */
    static final Path PRIVATE_TMP = Path.of("/tmp");
    /** Open files per agent process (soft and hard). */
    static final long NOFILE = 4096;
    private static final List<String> SEARCH_PATH = List.of("/usr/local/bin", "/usr/bin", "/bin", "/usr/sbin", "/sbin");

    private enum Want { READ, WRITE, EXEC }

    private SandboxPlanner() {}

    /**
     * @throws IllegalArgumentException with a message for the user when the
     *         manifest cannot be realised here (program not found, grant path missing)
     */
    static SandboxSpec plan(Manifest m, String id, int uid, Path agentDir, Cgroup cgroup, byte[] seccomp,
            DaemonConfig cfg) {
        return builder(m, uid, agentDir.resolve("root"), agentDir.resolve("workspace"), agentDir.resolve("agent.log"),
                cgroup, seccomp, cfg).build();
    }

    /**
     * The spec's builder, for callers that add to it (the toolcall socket) or
     * place the root and log elsewhere (an {@code exec} sandbox shares its
     * caller's workspace but has its own root and output).
     */
    static SandboxSpec.Builder builder(Manifest m, int uid, Path stagingDir, Path workspace, Path logFile, Cgroup cgroup,
            byte[] seccomp, DaemonConfig cfg) {
        SandboxSpec.Builder b = SandboxSpec.builder()
                .name(m.name())
                .hostname(hostname(m.name()))
                .command(resolveCommand(m.command()))
                .env(m.env())
                .workdir(m.workdir())
                .uid(uid)
                .network(m.network() == NetworkMode.HOST ? SandboxSpec.Network.HOST : SandboxSpec.Network.NONE)
                .stagingDir(stagingDir)
                .tmpSizeBytes(m.resources().tmpSizeBytes())
                .landlockMode(m.landlock() == LandlockMode.BEST_EFFORT
                        ? SandboxSpec.LandlockMode.BEST_EFFORT : SandboxSpec.LandlockMode.HARD)
                .seccompFilter(seccomp)
                .cgroup(cgroup)
                .logFile(logFile)
                .init(List.of(cfg.init().toString(), "-P"))
                // No core dumps (an agent's memory may hold what it was told in
                // confidence) and a bounded descriptor table.
                .rlimit(SandboxSpec.Rlimit.CORE, 0)
                .rlimit(SandboxSpec.Rlimit.NOFILE, NOFILE);
        for (Path p : SYSTEM) {
            if (Files.exists(p)) {
                b.mount(BindMount.readOnly(p));
                if (!Files.isSymbolicLink(p)) {
                    b.access(p, PathAccess.Kind.EXECUTE);
                }
            }
        }
        b.mount(new BindMount(workspace, WORKSPACE, true));
        b.access(WORKSPACE, PathAccess.Kind.WRITE_EXECUTE);

        Map<Path, Set<Want>> wants = new LinkedHashMap<>();
        Map<Path, Boolean> subtree = new LinkedHashMap<>();
        collect(m.filesystem().read(), Want.READ, wants, subtree);
        collect(m.filesystem().write(), Want.WRITE, wants, subtree);
        collect(m.filesystem().exec(), Want.EXEC, wants, subtree);
        for (Map.Entry<Path, Set<Want>> e : wants.entrySet()) {
            Path p = e.getKey();
            if (p.startsWith(WORKSPACE) || SYSTEM.contains(p)) {
                // Already in every view; a grant can only narrow nothing here.
                continue;
            }
            if (!Files.exists(p)) {
                throw new IllegalArgumentException("filesystem grant " + p + " does not exist on this host");
            }
            Set<Want> w = e.getValue();
            b.mount(new BindMount(p, p, w.contains(Want.WRITE)));
            if (Files.isDirectory(p) && !subtree.get(p)) {
                // "/data" without "/**": the directory's listing, no file in it.
                if (p.startsWith(PRIVATE_TMP)) {
                    // Landlock rights flow down the sandbox's path: the rule that lets
                    // the agent use its private /tmp covers whatever is bound below
                    // it, so "listing only" could not hold there. Refuse, not weaken.
                    throw new IllegalArgumentException("filesystem grant " + p + " (listing only) cannot be enforced below"
                            + " /tmp, where the agent's own /tmp rule allows reading; grant " + p + "/** or use a path"
                            + " outside /tmp");
                }
                b.access(p, PathAccess.Kind.LIST);
                continue;
            }
            b.access(p, kind(w));
        }
        return b;
    }

    private static void collect(List<PathGrant> grants, Want want, Map<Path, Set<Want>> wants, Map<Path, Boolean> subtree) {
        for (PathGrant g : grants) {
            wants.computeIfAbsent(g.path(), k -> EnumSet.noneOf(Want.class)).add(want);
            subtree.merge(g.path(), g.subtree(), Boolean::logicalOr);
        }
    }

    private static PathAccess.Kind kind(Set<Want> w) {
        boolean write = w.contains(Want.WRITE);
        boolean exec = w.contains(Want.EXEC);
        if (write && exec) {
            return PathAccess.Kind.WRITE_EXECUTE;
        }
        if (write) {
            return PathAccess.Kind.WRITE;
        }
        return exec ? PathAccess.Kind.EXECUTE : PathAccess.Kind.READ;
    }

    /** The agent's name as a DNS label: '.' and '_' become '-', and no '-' at the end. */
    static String hostname(String name) {
        String h = name.replaceAll("[._]", "-").replaceAll("-+$", "");
        return h.isEmpty() ? "agent" : h;
    }

    /** A bare program name is looked up in the sandbox's PATH, which shows the host's system directories. */
    static List<String> resolveCommand(List<String> command) {
        String prog = command.get(0);
        if (prog.startsWith("/")) {
            return command;
        }
        for (String dir : SEARCH_PATH) {
            Path p = Path.of(dir, prog);
            if (Files.isExecutable(p) && !Files.isDirectory(p)) {
                List<String> c = new ArrayList<>(command);
                c.set(0, p.toString());
                return c;
            }
        }
        throw new IllegalArgumentException("command: program \"" + prog + "\" not found in " + String.join(":", SEARCH_PATH));
    }
}
