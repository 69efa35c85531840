package dev.agentd.tests.toolcall;

import dev.agentd.tests.support.CgroupDirs;
import dev.agentd.tests.support.Dirs;
import dev.agentd.toolcall.StdioBridge;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;

/**
 * The stdio bridge ({@code dev.agentd.toolcall.StdioBridge}) run on the host AS a
 * process of an agent: the gateway accepts only the agent's uid and a pid inside
 * the agent's cgroup (SO_PEERCRED), and the sandbox has no Java. So a small
 * {@code sh} wrapper first writes its own pid into the agent's {@code cgroup.procs}
 * in every v1 hierarchy agentd made for it, then {@code exec}s
 * {@code setpriv --reuid UID --regid UID --clear-groups --no-new-privs java ... StdioBridge SOCKET}:
 * the same pid, now the agent's uid, inside the agent's cgroup — to the gateway,
 * indistinguishable from a process of the agent.
 *
 * <p>The bridge's class path is a copy of the toolcall-gateway jar in a
 * world-readable directory: the agent's uid cannot read {@code /root/.m2}.
 * StdioBridge needs nothing but the JDK and its own class.
 */
final class Bridge {
    static final Path SETPRIV = Path.of("/usr/bin/setpriv");

    private Bridge() {}

    /** A class path holding StdioBridge that any uid can read. */
    static Path classPath() throws IOException {
        Path src;
        try {
            src = Path.of(StdioBridge.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException e) {
            throw new IOException(e);
        }
        Path dir = Dirs.temp("tc-bridge-");
        if (Files.isRegularFile(src)) {
            Path jar = dir.resolve("toolcall-gateway.jar");
            Files.copy(src, jar, StandardCopyOption.REPLACE_EXISTING);
            Files.setPosixFilePermissions(jar, PosixFilePermissions.fromString("rw-r--r--"));
            return jar;
        }
        // A reactor build's target/classes: copy the one class.
        Path cls = Path.of("dev", "agentd", "toolcall", "StdioBridge.class");
        Files.createDirectories(dir.resolve(cls).getParent());
        Files.copy(src.resolve(cls), dir.resolve(cls), StandardCopyOption.REPLACE_EXISTING);
        try (var s = Files.walk(dir)) {
            for (Path p : s.toList()) {
                Files.setPosixFilePermissions(p, PosixFilePermissions.fromString(Files.isDirectory(p) ? "rwxr-xr-x" : "rw-r--r--"));
            }
        }
        return dir;
    }

    /** The java command of the bridge to {@code socket}. */
    static List<String> javaCommand(Path classPath, Path socket) {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        return List.of(java.toString(), "-XX:-UsePerfData", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xmx64m",
                "-cp", classPath.toString(), StdioBridge.class.getName(), socket.toString());
    }

    /** {@code setpriv ...} to run {@code command} as {@code uid} with no groups and no privileges. */
    static List<String> asUid(int uid, List<String> command) {
        List<String> c = new ArrayList<>(List.of(SETPRIV.toString(), "--reuid=" + uid, "--regid=" + uid, "--clear-groups",
                "--no-new-privs"));
        c.addAll(command);
        return c;
    }

    /**
     * {@code /bin/sh -c '...'} that joins the agent's cgroups, drops to its uid and
     * execs the bridge: the command an MCP client is given as its stdio server.
     */
    static List<String> asAgent(String cgroupParent, String agentId, int uid, Path classPath, Path socket) {
        List<Path> dirs = CgroupDirs.agent(cgroupParent, agentId);
        if (dirs.isEmpty()) {
            throw new AssertionError("no cgroup directories of agent " + agentId + " under " + cgroupParent);
        }
        StringBuilder sh = new StringBuilder("set -e; for f in");
        for (Path d : dirs) {
            sh.append(' ').append(quote(d.resolve("cgroup.procs").toString()));
        }
        sh.append("; do echo $$ > \"$f\"; done; exec");
        for (String a : asUid(uid, javaCommand(classPath, socket))) {
            sh.append(' ').append(quote(a));
        }
        return List.of("/bin/sh", "-c", sh.toString());
    }

    static String quote(String s) {
        return "'" + s.replace("'", "'\\''") + "'";
    }
}
