package dev.agentd.landlock;

import static dev.agentd.landlock.AccessFs.MAKE_REG;
import static dev.agentd.landlock.AccessFs.READ_DIR;
import static dev.agentd.landlock.AccessFs.READ_FILE;
import static dev.agentd.landlock.AccessFs.REFER;
import static dev.agentd.landlock.AccessFs.REMOVE_FILE;
import static dev.agentd.landlock.AccessFs.TRUNCATE;
import static dev.agentd.landlock.AccessFs.WRITE_FILE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.agentd.linux.Fd;
import dev.agentd.linux.FileSyscall;
import dev.agentd.linux.LandlockSyscall;
import dev.agentd.linux.Prctl;
import dev.agentd.linux.ProcessSyscall;
import dev.agentd.linux.Spawn;
import dev.agentd.linux.WaitStatus;
import dev.agentd.linux.testing.Require;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Landlock on the real kernel, proved from inside a restricted child: each
 * test restricts a fresh platform thread, spawns a probe program from it (the
 * child inherits the thread's domain), and compares what the probe could do
 * with what the same probe could do unrestricted (the control run: a refusal
 * only counts when the control succeeded).
 *
 * <p>Feature names for {@code AGENTD_REQUIRE}: {@code landlock} and
 * {@code landlock-abi-N} for each ABI a test needs (2 to 7).
 */
class LandlockIT {
    private static final Path PYTHON = Path.of("/usr/bin/python3");

    /** Runs each check named in argv and prints {@code name=OK} or {@code name=<errno name>}. */
    private static final String PROBE = String.join("\n",
            "import errno, fcntl, os, socket, sys, termios",
            "root = os.environ['PROBE_ROOT']",
            "def p(*parts):",
            "    return os.path.join(root, *parts)",
            "def read(path):",
            "    with open(path, 'rb') as f:",
            "        f.read()",
            "def write(path):",
            "    fd = os.open(path, os.O_WRONLY | os.O_CREAT, 0o644)",
            "    try:",
            "        os.write(fd, b'x')",
            "    finally:",
            "        os.close(fd)",
            "def run(path):",
            "    pid = os.posix_spawn(path, [path], {})",
            "    _, status = os.waitpid(pid, 0)",
            "    if os.waitstatus_to_exitcode(status) != 0:",
            "        raise OSError(errno.ECHILD, 'exit status %d' % status)",
            "def tcp_bind(port):",
            "    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)",
            "    try:",
            "        s.bind(('127.0.0.1', port))",
            "    finally:",
            "        s.close()",
            "def tcp_connect(port):",
            "    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)",
            "    s.settimeout(5)",
            "    try:",
            "        s.connect(('127.0.0.1', port))",
            "    finally:",
            "        s.close()",
            "def abstract_connect(name):",
            "    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)",
            "    try:",
            "        s.connect('\\0' + name)",
            "    finally:",
            "        s.close()",
            "def abstract_own():",
            "    name = 'agentd-landlock-probe-%d' % os.getpid()",
            "    l = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)",
            "    try:",
            "        l.bind('\\0' + name)",
            "        l.listen(1)",
            "        abstract_connect(name)",
            "    finally:",
            "        l.close()",
            "def ioctl(path):",
            "    fd = os.open(path, os.O_RDONLY)",
            "    try:",
            "        fcntl.ioctl(fd, termios.FIONREAD, b'\\0\\0\\0\\0')",
            "    finally:",
            "        os.close(fd)",
            "env = os.environ.get",
            "CHECKS = {",
            "    'read_ro': lambda: read(p('ro', 'file')),",
            "    'list_ro': lambda: os.listdir(p('ro')),",
            "    'read_secret': lambda: read(p('secret', 'file')),",
            "    'write_rw': lambda: write(p('rw', 'new')),",
            "    'write_ro': lambda: write(p('ro', 'new')),",
            "    'symlink_escape': lambda: read(p('ro', 'escape')),",
            "    'dotdot_escape': lambda: read(p('ro', '..', 'secret', 'file')),",
            "    'proc_root_escape': lambda: read('/proc/self/root' + p('secret', 'file')),",
            "    'hardlink_in': lambda: os.link(p('secret', 'file'), p('rw', 'linked')),",
            "    'exec_usr': lambda: run('/usr/bin/true'),",
            "    'exec_rw': lambda: run(p('rw', 'true')),",
            "    'truncate_rw': lambda: os.truncate(p('rw', 'new'), 0),",
            "    'truncate_granted': lambda: os.truncate(p('trunc', 'file'), 0),",
            "    'rename_across': lambda: os.rename(p('rw', 'new'), p('rw2', 'moved')),",
            "    'rename_refer': lambda: os.rename(p('refer', 'a', 'f'), p('refer', 'b', 'f')),",
            "    'bind_allowed': lambda: tcp_bind(int(env('PROBE_BIND_OK'))),",
            "    'bind_refused': lambda: tcp_bind(int(env('PROBE_BIND_NO'))),",
            "    'connect_allowed': lambda: tcp_connect(int(env('PROBE_CONNECT_OK'))),",
            "    'connect_refused': lambda: tcp_connect(int(env('PROBE_CONNECT_NO'))),",
            "    'ioctl_dev': lambda: ioctl('/dev/null'),",
            "    'ioctl_file': lambda: ioctl(p('ro', 'file')),",
            "    'signal_outside': lambda: os.kill(int(env('PROBE_JVM')), 0),",
            "    'signal_self': lambda: os.kill(os.getpid(), 0),",
            "    'abstract_outside': lambda: abstract_connect(env('PROBE_ABSTRACT')),",
            "    'abstract_own': abstract_own,",
            "}",
            "for name in sys.argv[1:]:",
            "    try:",
            "        CHECKS[name]()",
            "        result = 'OK'",
            "    except OSError as e:",
            "        result = errno.errorcode.get(e.errno, str(e.errno))",
            "    print('%s=%s' % (name, result), flush=True)",
            "");

    /** A listener on an abstract Unix socket, run by a process outside any Landlock domain. */
    private static final String ABSTRACT_LISTENER = String.join("\n",
            "import socket, sys",
            "s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)",
            "s.bind('\\0' + sys.argv[1])",
            "s.listen(16)",
            "print('ready', flush=True)",
            "sys.stdin.read()",
            "");

    @TempDir
    Path tmp;

    private final AtomicInteger runs = new AtomicInteger();

    // ---------------------------------------------------------------- tests

    @Test
    void probe_findsTheKernelsAbiBySyscall() {
        requireAbi(1);
        assertTrue(Landlock.isAvailable());
        assertNull(Landlock.unavailabilityCause());
        assertEquals(LandlockSyscall.abiVersion(), Landlock.abiVersion());
        assertEquals(Abi.fromVersion(LandlockSyscall.abiVersion()), Abi.current());
    }

    @Test
    void filesystem_abi1_readWriteExecAndEscapes() throws Exception {
        requireAbi(1);
        List<String> checks = List.of("read_ro", "list_ro", "read_secret", "write_rw", "write_ro", "symlink_escape",
                "dotdot_escape", "proc_root_escape", "hardlink_in", "exec_usr", "exec_rw");
        assertAllOk(control(checks));

        Path root = layout("restricted");
        Outcome o = restricted(root, checks, () -> baseRules(root, new Ruleset(), Abi.V1).restrictSelf());
        assertEquals(RulesetStatus.FULLY_ENFORCED, o.status.ruleset(), o.status.toString());
        assertResults(Map.ofEntries(
                Map.entry("read_ro", "OK"),
                Map.entry("list_ro", "OK"),
                Map.entry("read_secret", "EACCES"),
                Map.entry("write_rw", "OK"),
                Map.entry("write_ro", "EACCES"),
                Map.entry("symlink_escape", "EACCES"),
                Map.entry("dotdot_escape", "EACCES"),
                Map.entry("proc_root_escape", "EACCES"),
                // Without REFER granted (and on ABI 1 always), reparenting is EXDEV.
                Map.entry("hardlink_in", "EXDEV"),
                Map.entry("exec_usr", "OK"),
                Map.entry("exec_rw", "EACCES")), o);
        assertEquals("secret", Files.readString(root.resolve("secret/file")),
                "the test's own thread is not restricted");
    }

    @Test
    void filesystem_abi3_truncateAndReferNeedTheirRights() throws Exception {
        requireAbi(2);
        requireAbi(3);
        List<String> checks = List.of("write_rw", "truncate_rw", "truncate_granted", "rename_across", "rename_refer",
                "hardlink_in");
        assertAllOk(control(checks));

        Path root = layout("restricted");
        Outcome o = restricted(root, checks, () -> baseRules(root, new Ruleset(), Abi.V3).restrictSelf());
        assertEquals(RulesetStatus.FULLY_ENFORCED, o.status.ruleset(), o.status.toString());
        assertResults(Map.of(
                "write_rw", "OK",
                "truncate_rw", "EACCES",
                "truncate_granted", "OK",
                "rename_across", "EXDEV",
                "rename_refer", "OK",
                "hardlink_in", "EXDEV"), o);
    }

    @Test
    void bestEffort_pretendAbi2_droppedTruncateReallyStaysAllowedAndIsReported() throws Exception {
        requireAbi(3);
        Path root = layout("restricted");
        Ruleset pretendAbi2 = new Ruleset(Kernel.capped(Kernel.real(), Abi.V2));
        Outcome o = restricted(root, List.of("write_rw", "truncate_rw", "read_secret"),
                () -> baseRules(root, pretendAbi2, Abi.V3).restrictSelf());
        assertEquals(RulesetStatus.PARTIALLY_ENFORCED, o.status.ruleset());
        assertEquals(Optional.of(Abi.V2), o.status.abi());
        assertFalse(o.status.handledAccessFs().contains(TRUNCATE));
        assertTrue(o.status.dropped().stream().anyMatch(
                d -> d.toString().equals("AccessFs.TRUNCATE: TRUNCATE needs ABI 3, kernel has 2")),
                o.status.dropped().toString());
        assertResults(Map.of("write_rw", "OK", "truncate_rw", "OK", "read_secret", "EACCES"), o);
    }

    @Test
    void tcp_abi4_bindAndConnectOnlyOnAllowedPorts() throws Exception {
        requireAbi(4);
        try (ServerSocket connectOk = listen(); ServerSocket connectNo = listen()) {
            int bindOk = freePort();
            int bindNo = freePort();
            Map<String, String> env = Map.of(
                    "PROBE_BIND_OK", String.valueOf(bindOk),
                    "PROBE_BIND_NO", String.valueOf(bindNo),
                    "PROBE_CONNECT_OK", String.valueOf(connectOk.getLocalPort()),
                    "PROBE_CONNECT_NO", String.valueOf(connectNo.getLocalPort()));
            List<String> checks = List.of("bind_allowed", "bind_refused", "connect_allowed", "connect_refused");
            assertAllOk(run(layout("control"), checks, env, null));

            Outcome o = run(layout("restricted"), checks, env, () -> new Ruleset()
                    .handleAccess(AccessNet.fromAll(Abi.V4))
                    .create()
                    .addRule(NetPort.of(bindOk, AccessNet.BIND_TCP))
                    .addRule(NetPort.of(connectOk.getLocalPort(), AccessNet.CONNECT_TCP))
                    .restrictSelf());
            assertEquals(RulesetStatus.FULLY_ENFORCED, o.status.ruleset());
            assertResults(Map.of(
                    "bind_allowed", "OK",
                    "bind_refused", "EACCES",
                    "connect_allowed", "OK",
                    "connect_refused", "EACCES"), o);
        }
    }

    @Test
    void ioctl_abi5_deviceIoctlNeedsIoctlDev() throws Exception {
        requireAbi(5);
        List<String> checks = List.of("ioctl_dev", "ioctl_file");
        Outcome control = control(checks);
        assertNotEquals("EACCES", control.results.get("ioctl_dev"), control.toString());
        assertEquals("OK", control.results.get("ioctl_file"), control.toString());

        Outcome o = restricted(layout("restricted"), checks,
                () -> new Ruleset().handleAccess(AccessFs.IOCTL_DEV).create().restrictSelf());
        assertResults(Map.of("ioctl_dev", "EACCES", "ioctl_file", "OK"), o);
    }

    @Test
    void scopes_abi6_signalsAndAbstractSocketsStayInTheDomain() throws Exception {
        requireAbi(6);
        String name = "agentd-landlock-it-" + ProcessHandle.current().pid() + "-" + System.nanoTime();
        Process listener = new ProcessBuilder(PYTHON.toString(), "-I", "-S", "-c", ABSTRACT_LISTENER, name)
                .redirectErrorStream(true).start();
        try {
            BufferedReader out = new BufferedReader(
                    new InputStreamReader(listener.getInputStream(), StandardCharsets.UTF_8));
            assertEquals("ready", out.readLine(), "abstract listener");
            Map<String, String> env = Map.of("PROBE_JVM", String.valueOf(ProcessHandle.current().pid()),
                    "PROBE_ABSTRACT", name);
            List<String> checks = List.of("signal_outside", "signal_self", "abstract_outside", "abstract_own");
            assertAllOk(run(layout("control"), checks, env, null));

            Outcome o = run(layout("restricted"), checks, env,
                    () -> new Ruleset().scope(Scope.fromAll(Abi.V6)).create().restrictSelf());
            assertEquals(Scope.fromAll(Abi.V6), o.status.scopes());
            assertResults(Map.of(
                    "signal_outside", "EPERM",
                    "signal_self", "OK",
                    "abstract_outside", "EPERM",
                    "abstract_own", "OK"), o);
        } finally {
            listener.getOutputStream().close();
            if (!listener.waitFor(5, TimeUnit.SECONDS)) {
                listener.destroyForcibly();
            }
        }
    }

    @Test
    void restrictSelfFlags_abi7_acceptedByTheKernel() throws Exception {
        requireAbi(7);
        Path root = layout("restricted");
        Outcome o = restricted(root, List.of("read_ro", "read_secret"), () -> baseRules(root, new Ruleset()
                .restrictSelfFlags(RestrictSelfFlag.LOG_SAME_EXEC_OFF, RestrictSelfFlag.LOG_NEW_EXEC_ON), Abi.V7)
                .restrictSelf());
        assertEquals(RulesetStatus.FULLY_ENFORCED, o.status.ruleset());
        assertEquals(EnumSet.of(RestrictSelfFlag.LOG_SAME_EXEC_OFF, RestrictSelfFlag.LOG_NEW_EXEC_ON),
                o.status.restrictSelfFlags());
        assertEquals(List.of(), o.status.dropped());
        assertResults(Map.of("read_ro", "OK", "read_secret", "EACCES"), o);
    }

    @Test
    void restrictSelf_confinesOnlyTheCallingThread() throws Exception {
        requireAbi(1);
        Path root = layout("restricted");
        Path secret = root.resolve("secret/file");
        Path allowed = root.resolve("ro/file");
        AtomicReference<Object> inThread = new AtomicReference<>();
        List<String> seen = new ArrayList<>();
        Thread t = new Thread(() -> {
            try {
                ProcessSyscall.warmUp();
                // Load every class the restricted thread will touch while it still can.
                FileSyscall.open(allowed, FileSyscall.O_RDONLY | FileSyscall.O_CLOEXEC, 0).close();
                assertThrows(NoSuchFileException.class, () -> FileSyscall.open(root.resolve("none"), 0, 0));
                new AccessDeniedException("preload").getMessage();
                RestrictionStatus s = baseRules(root, new Ruleset(), Abi.V1).restrictSelf();
                seen.add("noNewPrivs=" + Prctl.noNewPrivs());
                try (Fd fd = FileSyscall.open(allowed, FileSyscall.O_RDONLY | FileSyscall.O_CLOEXEC, 0)) {
                    seen.add("allowed=OK");
                }
                try (Fd fd = FileSyscall.open(secret, FileSyscall.O_RDONLY | FileSyscall.O_CLOEXEC, 0)) {
                    seen.add("secret=OK");
                } catch (AccessDeniedException e) {
                    seen.add("secret=denied");
                }
                inThread.set(s);
            } catch (Throwable e) {
                inThread.set(e);
            }
        });
        t.start();
        t.join(TimeUnit.SECONDS.toMillis(30));
        rethrow(inThread.get());
        assertEquals(List.of("noNewPrivs=true", "allowed=OK", "secret=denied"), seen);
        assertTrue(((RestrictionStatus) inThread.get()).noNewPrivs());
        // The thread is gone; this one never had the domain nor no_new_privs.
        assertEquals("secret", Files.readString(secret));
        assertFalse(Prctl.noNewPrivs(), "no_new_privs leaked to the test thread");
    }

    // -------------------------------------------------------------- harness

    private static void requireAbi(int abi) {
        int have = LandlockSyscall.abiVersion();
        String cause = have == 0 ? "no Landlock (" + LandlockSyscall.abiVersionError() + ")" : "kernel has ABI " + have;
        Require.feature(abi == 1 ? "landlock" : "landlock-abi-" + abi, have >= abi, cause);
    }

    /**
     * The probe's tree: {@code ro/} (read-only; {@code escape} is a symlink
     * to the secret), {@code rw/} and {@code rw2/} (read-write without
     * truncate, refer or execute; {@code rw/true} is an executable),
     * {@code trunc/} (with truncate), {@code refer/} (with refer),
     * {@code secret/} (no rule).
     */
    private Path layout(String name) throws IOException {
        Path root = Files.createDirectory(tmp.resolve(name + "-" + runs.incrementAndGet()));
        Files.createDirectories(root.resolve("ro"));
        Files.createDirectories(root.resolve("rw"));
        Files.createDirectories(root.resolve("rw2"));
        Files.createDirectories(root.resolve("trunc"));
        Files.createDirectories(root.resolve("refer/a"));
        Files.createDirectories(root.resolve("refer/b"));
        Files.createDirectories(root.resolve("secret"));
        Files.writeString(root.resolve("ro/file"), "ro");
        Files.writeString(root.resolve("secret/file"), "secret");
        Files.writeString(root.resolve("trunc/file"), "0123456789");
        Files.writeString(root.resolve("refer/a/f"), "f");
        Files.createSymbolicLink(root.resolve("ro/escape"), root.resolve("secret/file"));
        Path t = Files.copy(Path.of("/usr/bin/true"), root.resolve("rw/true"), StandardCopyOption.REPLACE_EXISTING);
        Files.setPosixFilePermissions(t, PosixFilePermissions.fromString("rwxr-xr-x"));
        return root;
    }

    /**
     * The file system rules every probe needs (python and its libraries:
     * /usr, /etc; /bin, /lib, /lib64 are symlinks into /usr on merged-usr
     * systems and absent on some, hence optional) plus the tree of
     * {@link #layout}, all cut to what {@code abi} defines.
     */
    private static RulesetCreated baseRules(Path root, Ruleset ruleset, Abi abi) throws IOException {
        EnumSet<AccessFs> all = AccessFs.fromAll(abi);
        EnumSet<AccessFs> rw = within(all, READ_FILE, READ_DIR, WRITE_FILE, MAKE_REG, REMOVE_FILE);
        RulesetCreated created = ruleset.handleAccess(all).create();
        for (String system : List.of("/usr", "/bin", "/lib", "/lib64")) {
            created.addRule(PathBeneath.of(Path.of(system), AccessFs.fromRead(abi)).optional());
        }
        return created
                .addRule(PathBeneath.of(Path.of("/etc"), READ_FILE, READ_DIR).optional())
                .addRule(PathBeneath.of(root.resolve("ro"), READ_FILE, READ_DIR))
                .addRule(PathBeneath.of(root.resolve("rw"), rw))
                .addRule(PathBeneath.of(root.resolve("rw2"), rw))
                .addRule(PathBeneath.of(root.resolve("trunc"), within(all, READ_FILE, WRITE_FILE, TRUNCATE)))
                .addRule(PathBeneath.of(root.resolve("refer"), within(all, READ_FILE, READ_DIR, WRITE_FILE, MAKE_REG,
                        REMOVE_FILE, REFER)));
    }

    private static EnumSet<AccessFs> within(EnumSet<AccessFs> abi, AccessFs first, AccessFs... rest) {
        EnumSet<AccessFs> s = EnumSet.of(first, rest);
        s.retainAll(abi);
        return s;
    }

    /** Builds a ruleset and restricts the calling thread with it. */
    private interface Restriction {
        RestrictionStatus apply() throws Exception;
    }

    private record Outcome(Map<String, String> results, RestrictionStatus status, WaitStatus exit, String stderr) {}

    private Outcome control(List<String> checks) throws Exception {
        return run(layout("control"), checks, Map.of(), null);
    }

    private Outcome restricted(Path root, List<String> checks, Restriction restriction) throws Exception {
        return run(root, checks, Map.of(), restriction);
    }

    /**
     * Runs the probe with {@code checks} on a fresh platform thread, restricted
     * first by {@code restriction} (none for a control run). The probe's
     * stdio are descriptors opened here, before the thread restricts itself,
     * so the ruleset need not allow them.
     */
    private Outcome run(Path root, List<String> checks, Map<String, String> env, Restriction restriction)
            throws Exception {
        Path out = root.resolveSibling(root.getFileName() + ".out");
        Path err = root.resolveSibling(root.getFileName() + ".err");
        int wr = FileSyscall.O_WRONLY | FileSyscall.O_CREAT | FileSyscall.O_TRUNC | FileSyscall.O_CLOEXEC;
        try (Fd in = FileSyscall.open(Path.of("/dev/null"), FileSyscall.O_RDONLY | FileSyscall.O_CLOEXEC, 0);
                Fd outFd = FileSyscall.open(out, wr, 0600);
                Fd errFd = FileSyscall.open(err, wr, 0600)) {
            Map<String, String> vars = new HashMap<>(env);
            vars.put("PROBE_ROOT", root.toString());
            List<String> argv = new ArrayList<>(List.of("python3", "-I", "-B", "-S", "-c", PROBE));
            argv.addAll(checks);
            Spawn probe = Spawn.of(PYTHON).args(argv).env(vars)
                    .dup2(in.number(), 0).dup2(outFd.number(), 1).dup2(errFd.number(), 2);
            AtomicReference<Object> status = new AtomicReference<>();
            AtomicInteger pid = new AtomicInteger();
            Thread t = new Thread(() -> {
                try {
                    // Everything the thread needs after restricting must be
                    // loaded before: warm the binding and spawn once.
                    ProcessSyscall.warmUp();
                    ProcessSyscall.waitFor(Spawn.of(Path.of("/usr/bin/true")).start());
                    if (restriction != null) {
                        status.set(restriction.apply());
                    }
                    pid.set(probe.start());
                } catch (Throwable e) {
                    status.set(e);
                }
            }, "landlock-it-spawner");
            t.start();
            t.join(TimeUnit.SECONDS.toMillis(30));
            assertFalse(t.isAlive(), "spawning thread hung");
            rethrow(status.get());
            WaitStatus w = ProcessSyscall.waitFor(pid.get());
            Map<String, String> results = new TreeMap<>();
            for (String line : Files.readAllLines(out)) {
                int eq = line.indexOf('=');
                results.put(line.substring(0, eq), line.substring(eq + 1));
            }
            Outcome o = new Outcome(results, (RestrictionStatus) status.get(), w, Files.readString(err));
            assertEquals(0, w.exitCode(), "probe failed: " + o);
            assertEquals(checks.size(), results.size(), "probe did not report every check: " + o);
            return o;
        }
    }

    private static void rethrow(Object o) throws Exception {
        if (o instanceof Exception e) {
            throw e;
        }
        if (o instanceof Error e) {
            throw e;
        }
    }

    private static void assertAllOk(Outcome control) {
        Map<String, String> ok = new TreeMap<>();
        control.results.keySet().forEach(k -> ok.put(k, "OK"));
        assertEquals(ok, control.results, "control run (unrestricted) must succeed everywhere: " + control);
    }

    private static void assertResults(Map<String, String> expected, Outcome o) {
        assertEquals(new TreeMap<>(expected), o.results, "restricted probe; status " + o.status + "; stderr "
                + o.stderr);
    }

    private static ServerSocket listen() throws IOException {
        return new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = listen()) {
            return s.getLocalPort();
        }
    }
}
