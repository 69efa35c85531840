package dev.agentd.spawner;

import dev.agentd.cgroups.Cgroup;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Everything the spawner needs to launch one sandboxed process, as an
 * immutable value. Build it with {@link #builder()}; {@link Builder#build()}
 * validates it in Java, before anything touches the kernel, and names the
 * offending field.
 *
 * <p>The sandbox always gets new mount, pid, IPC, UTS and cgroup namespaces;
 * a new network namespace (only {@code lo}) unless {@link Network#HOST}.
 */
public final class SandboxSpec {
    /** Network isolation. */
    public enum Network {
        /** A new network namespace with only {@code lo}; TCP bind/connect also denied by Landlock. */
        NONE,
        /** The host's network namespace. */
        HOST
    }

    /** How hard the Landlock rules are required. */
    public enum LandlockMode {
        /** Refuse the spawn when any Landlock right or scope cannot be enforced. */
        HARD,
        /** Drop what the kernel lacks and report it in {@link SpawnResult#dropped()}. */
        BEST_EFFORT
    }

    /** Resource limits that belong to the process, not its cgroup (see {@code prlimit(2)}). */
    public enum Rlimit { NOFILE, NPROC, CORE, FSIZE, STACK }

    private static final Pattern HOSTNAME = Pattern.compile("[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?");
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,62}");

    private final String name;
    private final List<String> command;
    private final Map<String, String> env;
    private final Path workdir;
    private final int uid;
    private final int gid;
    private final String hostname;
    private final Network network;
    private final Path stagingDir;
    private final List<BindMount> mounts;
    private final long tmpSizeBytes;
    private final List<PathAccess> access;
    private final LandlockMode landlockMode;
    private final byte[] seccompFilter;
    private final Cgroup cgroup;
    private final Map<Rlimit, Long> rlimits;
    private final Path logFile;
    private final List<String> init;
    private final dev.agentd.linux.Fd stdin;
    private final dev.agentd.linux.Fd stdout;

    private SandboxSpec(Builder b) {
        this.name = b.name;
        this.command = List.copyOf(b.command);
        this.env = Collections.unmodifiableMap(new LinkedHashMap<>(b.env));
        this.workdir = b.workdir;
        this.uid = b.uid;
        this.gid = b.gid < 0 ? b.uid : b.gid;
        this.hostname = b.hostname == null ? b.name.replaceAll("[._]", "-") : b.hostname;
        this.network = b.network;
        this.stagingDir = b.stagingDir;
        this.mounts = List.copyOf(b.mounts);
        this.tmpSizeBytes = b.tmpSizeBytes;
        this.access = List.copyOf(b.access);
        this.landlockMode = b.landlockMode;
        this.seccompFilter = b.seccompFilter == null ? null : b.seccompFilter.clone();
        this.cgroup = b.cgroup;
        this.rlimits = Collections.unmodifiableMap(new EnumMap<>(b.rlimits));
        this.logFile = b.logFile;
        this.init = List.copyOf(b.init);
        this.stdin = b.stdin;
        this.stdout = b.stdout;
    }

    public static Builder builder() {
        return new Builder();
    }

    public String name() { return name; }
    /** argv; argv[0] is an absolute path in the sandbox's view. */
    public List<String> command() { return command; }
    /** The complete environment of the process. */
    public Map<String, String> env() { return env; }
    /** Working directory inside the sandbox. */
    public Path workdir() { return workdir; }
    public int uid() { return uid; }
    public int gid() { return gid; }
    public String hostname() { return hostname; }
    public Network network() { return network; }
    /** An empty host directory where the sandbox's root is assembled (in the sandbox's own mount namespace only). */
    public Path stagingDir() { return stagingDir; }
    public List<BindMount> mounts() { return mounts; }
    /** Size of the private {@code /tmp} tmpfs. */
    public long tmpSizeBytes() { return tmpSizeBytes; }
    /** Landlock access rules, by sandbox path. */
    public List<PathAccess> access() { return access; }
    public LandlockMode landlockMode() { return landlockMode; }
    /** The compiled seccomp filter (native-order {@code struct sock_filter} array), if any. */
    public Optional<byte[]> seccompFilter() { return Optional.ofNullable(seccompFilter).map(byte[]::clone); }
    /** The cgroup the process starts in, if any. */
    public Optional<Cgroup> cgroup() { return Optional.ofNullable(cgroup); }
    public Map<Rlimit, Long> rlimits() { return rlimits; }
    /** Host file receiving stdout and stderr (appended). */
    public Path logFile() { return logFile; }
    /** argv of the reaping init that holds the namespaces as PID 1, argv[0] as seen in the sandbox. */
    public List<String> init() { return init; }
    /** The program's stdin, when not /dev/null (e.g. a pipe to an MCP server). */
    public Optional<dev.agentd.linux.Fd> stdin() { return Optional.ofNullable(stdin); }
    /** The program's stdout, when not the log file (stderr always goes to the log). */
    public Optional<dev.agentd.linux.Fd> stdout() { return Optional.ofNullable(stdout); }

    /**
     * Builds a {@link SandboxSpec}. Required: name, command, uid, stagingDir,
     * logFile. Defaults: workdir {@code /}, network NONE, /tmp 64 MiB,
     * Landlock HARD, init {@code /usr/bin/catatonit -P}.
     */
    public static final class Builder {
        private String name;
        private final List<String> command = new ArrayList<>();
        private final Map<String, String> env = new LinkedHashMap<>();
        private Path workdir = Path.of("/");
        private int uid = -1;
        private int gid = -1;
        private String hostname;
        private Network network = Network.NONE;
        private Path stagingDir;
        private final List<BindMount> mounts = new ArrayList<>();
        private long tmpSizeBytes = 64L << 20;
        private final List<PathAccess> access = new ArrayList<>();
        private LandlockMode landlockMode = LandlockMode.HARD;
        private byte[] seccompFilter;
        private Cgroup cgroup;
        private final Map<Rlimit, Long> rlimits = new EnumMap<>(Rlimit.class);
        private Path logFile;
        private final List<String> init = new ArrayList<>(List.of("/usr/bin/catatonit", "-P"));
        private dev.agentd.linux.Fd stdin;
        private dev.agentd.linux.Fd stdout;

        private Builder() {}

        public Builder name(String v) { this.name = v; return this; }
        public Builder command(List<String> v) { command.clear(); command.addAll(v); return this; }
        public Builder env(Map<String, String> v) { env.clear(); env.putAll(v); return this; }
        public Builder workdir(Path v) { this.workdir = v; return this; }
        public Builder uid(int v) { this.uid = v; return this; }
        /** Defaults to the uid. */
        public Builder gid(int v) { this.gid = v; return this; }
        /** Defaults to the name. */
        public Builder hostname(String v) { this.hostname = v; return this; }
        public Builder network(Network v) { this.network = v; return this; }
        public Builder stagingDir(Path v) { this.stagingDir = v; return this; }
        public Builder mount(BindMount v) { mounts.add(v); return this; }
        public Builder tmpSizeBytes(long v) { this.tmpSizeBytes = v; return this; }
        public Builder access(PathAccess v) { access.add(v); return this; }
        public Builder access(Path p, PathAccess.Kind k) { return access(new PathAccess(p, k)); }
        public Builder landlockMode(LandlockMode v) { this.landlockMode = v; return this; }
        public Builder seccompFilter(byte[] v) { this.seccompFilter = v == null ? null : v.clone(); return this; }
        public Builder cgroup(Cgroup v) { this.cgroup = v; return this; }
        public Builder rlimit(Rlimit r, long value) { rlimits.put(r, value); return this; }
        public Builder logFile(Path v) { this.logFile = v; return this; }
        public Builder init(List<String> v) { init.clear(); init.addAll(v); return this; }
        /** Pipes (or any descriptors) for the program's stdin and stdout; the caller keeps the other ends. */
        public Builder stdio(dev.agentd.linux.Fd in, dev.agentd.linux.Fd out) { this.stdin = in; this.stdout = out; return this; }

        /**
         * Validates and builds.
         *
         * @throws IllegalArgumentException naming the field and what was expected
         */
        public SandboxSpec build() {
            List<String> errors = new ArrayList<>();
            if (name == null || !NAME.matcher(name).matches()) {
                errors.add("name: expected letters, digits, '.', '_' and '-', at most 63 characters, got " + quote(name));
            }
            if (hostname != null && !HOSTNAME.matcher(hostname).matches()) {
                errors.add("hostname: expected a DNS label, got " + quote(hostname));
            }
            if (command.isEmpty()) {
                errors.add("command: expected at least the program path");
            } else if (!command.get(0).startsWith("/")) {
                errors.add("command[0]: expected an absolute path in the sandbox, got " + quote(command.get(0)));
            }
            if (uid <= 0) {
                errors.add("uid: expected a non-root uid above 0, got " + uid + " (agents never run as root)");
            }
            if (gid == 0) {
                errors.add("gid: expected a non-root gid, got 0");
            }
            if (workdir == null || !workdir.isAbsolute()) {
                errors.add("workdir: expected an absolute path, got " + workdir);
            }
            if (stagingDir == null || !stagingDir.isAbsolute() || !Files.isDirectory(stagingDir)) {
                errors.add("stagingDir: expected an existing absolute directory, got " + stagingDir);
            }
            if (logFile == null || !logFile.isAbsolute()) {
                errors.add("logFile: expected an absolute path, got " + logFile);
            }
            if (tmpSizeBytes <= 0) {
                errors.add("tmpSizeBytes: expected a positive size, got " + tmpSizeBytes);
            }
            if (init.isEmpty() || !init.get(0).startsWith("/")) {
                errors.add("init: expected an absolute program path, got " + init);
            }
            Set<Path> targets = new HashSet<>();
            for (BindMount m : mounts) {
                if (m.target().getNameCount() == 0) {
                    errors.add("mounts: cannot bind over the sandbox root: " + m);
                } else if (Reserved.isReserved(m.target())) {
                    errors.add("mounts: " + m.target() + " is provided by the sandbox itself");
                } else if (!targets.add(m.target())) {
                    errors.add("mounts: two mounts at " + m.target());
                }
                if (!Files.exists(m.source())) {
                    errors.add("mounts: source does not exist: " + m.source());
                }
            }
            for (Map.Entry<String, String> e : env.entrySet()) {
                if (e.getKey().isEmpty() || e.getKey().contains("=") || e.getKey().indexOf('\0') >= 0) {
                    errors.add("env: invalid variable name " + quote(e.getKey()));
                }
            }
            for (Map.Entry<Rlimit, Long> e : rlimits.entrySet()) {
                if (e.getValue() < 0) {
                    errors.add("rlimits." + e.getKey() + ": expected a non-negative value, got " + e.getValue());
                }
            }
            if (seccompFilter != null && (seccompFilter.length == 0 || seccompFilter.length % 8 != 0)) {
                errors.add("seccompFilter: expected whole 8-byte BPF instructions, got " + seccompFilter.length + " bytes");
            }
            if (!errors.isEmpty()) {
                throw new IllegalArgumentException("invalid sandbox spec: " + String.join("; ", errors));
            }
            return new SandboxSpec(this);
        }

        private static String quote(String s) {
            return s == null ? "nothing" : "\"" + s + "\"";
        }
    }

    /** Paths the spawner mounts itself. */
    static final class Reserved {
        static final Path TMP = Path.of("/tmp");
        static final Path DEV = Path.of("/dev");
        static final Path PROC = Path.of("/proc");
        /** The agent's log, bound in so its stdout and stderr name a path of the view (CRIU needs that). */
        static final Path LOG = Path.of("/run/agent.log");

        static boolean isReserved(Path p) {
            return p.startsWith(DEV) || p.startsWith(PROC) || p.equals(TMP) || p.equals(LOG);
        }
    }
}
