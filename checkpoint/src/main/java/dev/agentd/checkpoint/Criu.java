package dev.agentd.checkpoint;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The {@code criu} binary agentd drives: where it is, which version it is, and
 * what the running kernel lets it do.
 *
 * <p>{@link #locate(Optional)} refuses a CRIU older than {@link #MINIMUM_VERSION}:
 * CRIU 3.x fails to dump on 6.x kernels, so accepting it would only move the
 * failure to the first checkpoint. The command lines for dump and restore are
 * built by {@link CriuCommand}; this class only runs the version and feature checks.
 *
 * <p>Instances are immutable apart from the feature cache and safe to share.
 */
public final class Criu {

    /** The oldest CRIU agentd accepts. */
    public static final CriuVersion MINIMUM_VERSION = new CriuVersion(4, 0, 0);

    /**
     * Where {@code criu} is looked for, in order. A fixed list rather than the
     * daemon's {@code $PATH}: under systemd the PATH is whatever the unit says,
     * and a root daemon should not pick up a binary from a user's directory.
     * {@code /usr/local/sbin} comes first so a CRIU built from source wins over
     * an old distribution package in {@code /usr/sbin}.
     */
    static final List<Path> SEARCH_DIRS = List.of(
            Path.of("/usr/local/sbin"), Path.of("/usr/sbin"), Path.of("/sbin"),
            Path.of("/usr/local/bin"), Path.of("/usr/bin"), Path.of("/bin"));

    static final String INSTALL_HINT =
            "install CRIU 4.0 or newer (Debian trixie: apt install criu; on bookworm see docs/checkpoint.md)";

    static final Duration VERSION_TIMEOUT = Duration.ofSeconds(10);
    /** {@code criu check} probes the kernel (it creates sockets, namespaces, userfaultfd); give it time. */
    static final Duration CHECK_TIMEOUT = Duration.ofSeconds(60);

    /** What {@code criu check} prints when it is not run as root. */
    private static final String NEEDS_ROOT = "need to be root";

    /** CRIU's feature names: {@code mem_dirty_track}, {@code uffd-noncoop}, ... */
    private static final Pattern FEATURE_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_-]{0,63}");

    private final Path path;
    private final CriuVersion version;
    private final CommandRunner runner;
    private final Map<String, Boolean> features = new ConcurrentHashMap<>();

    private Criu(Path path, CriuVersion version, CommandRunner runner) {
        this.path = path;
        this.version = version;
        this.runner = runner;
    }

    /**
     * Finds {@code criu} and checks its version.
     *
     * @param configured an explicitly configured binary; when present it is the only
     *        candidate. When empty, {@link #SEARCH_DIRS} are searched and the first
     *        {@code criu} that is new enough is used.
     * @throws CriuException when no {@code criu} is found, it cannot be run, or it is
     *         older than {@link #MINIMUM_VERSION}; the message says what to install
     */
    public static Criu locate(Optional<Path> configured) throws CriuException {
        return locate(configured, SEARCH_DIRS, new ProcessCommandRunner());
    }

    /** {@link #locate(Optional)} with the search directories and process runner supplied (tests). */
    static Criu locate(Optional<Path> configured, List<Path> searchDirs, CommandRunner runner) throws CriuException {
        Objects.requireNonNull(configured, "configured");
        if (configured.isPresent()) {
            Path criu = configured.get();
            if (!criu.isAbsolute()) {
                throw new CriuException("configured criu path " + criu + " is not absolute: give the full path, e.g. /usr/local/sbin/criu");
            }
            if (!isExecutableFile(criu)) {
                throw new CriuException("criu not found at configured path " + criu
                        + " (missing or not executable): " + INSTALL_HINT
                        + ", or remove the setting to search " + joined(searchDirs));
            }
            return checked(criu, runner);
        }
        List<CriuException> rejected = new ArrayList<>();
        for (Path dir : searchDirs) {
            Path criu = dir.resolve("criu");
            if (isExecutableFile(criu)) {
                try {
                    return checked(criu, runner);
                } catch (CriuException e) {
                    rejected.add(e); // a newer one may come later in the search order
                }
            }
        }
        if (rejected.isEmpty()) {
            throw new CriuException("criu not found (looked in " + joined(searchDirs) + "): " + INSTALL_HINT);
        }
        if (rejected.size() == 1) {
            throw rejected.get(0);
        }
        CriuException all = new CriuException(rejected.stream().map(Throwable::getMessage)
                .collect(Collectors.joining("; ")));
        rejected.forEach(all::addSuppressed);
        throw all;
    }

    /** The binary's path. */
    public Path path() {
        return path;
    }

    /** The binary's version, at least {@link #MINIMUM_VERSION}. */
    public CriuVersion version() {
        return version;
    }

    /**
     * Whether this kernel and CRIU support a feature, by {@code criu check --feature NAME}
     * (exit status 0 means supported). A feature this CRIU does not know counts as
     * unsupported. Answers are cached per feature for the life of this object.
     *
     * @param feature a CRIU feature name, e.g. {@code mem_dirty_track}, {@code uffd-noncoop}
     * @throws IllegalArgumentException when {@code feature} is not a plausible feature name
     * @throws CriuException when {@code criu check} cannot be run, times out, or needs root
     */
    public boolean supports(String feature) throws CriuException {
        if (feature == null || !FEATURE_NAME.matcher(feature).matches()) {
            throw new IllegalArgumentException("not a CRIU feature name: \"" + feature
                    + "\" (expected letters, digits, '_' or '-', not starting with '-'; e.g. mem_dirty_track)");
        }
        Boolean known = features.get(feature);
        if (known != null) {
            return known;
        }
        CommandRunner.Result result = run(CHECK_TIMEOUT, "check", "--feature", feature);
        boolean supported = result.exitCode() == 0;
        // Only definite answers are cached: "needs root" is a fault, not "unsupported".
        features.putIfAbsent(feature, supported);
        return supported;
    }

    /**
     * The output of {@code criu check}: what CRIU thinks of this kernel. A failed
     * check still returns its report (that is what the caller wants to show).
     *
     * @throws CriuException when {@code criu check} cannot be run, times out, or needs root
     */
    public String checkReport() throws CriuException {
        return run(CHECK_TIMEOUT, "check").output();
    }

    @Override
    public String toString() {
        return "criu " + version + " at " + path;
    }

    private CommandRunner.Result run(Duration timeout, String... args) throws CriuException {
        List<String> argv = new ArrayList<>();
        argv.add(path.toString());
        argv.addAll(List.of(args));
        CommandRunner.Result result;
        try {
            result = runner.run(argv, timeout);
        } catch (IOException e) {
            throw new CriuException("could not run " + String.join(" ", argv) + ": " + e.getMessage(), e);
        }
        if (result.exitCode() != 0 && result.output().contains(NEEDS_ROOT)) {
            throw new CriuException(String.join(" ", argv) + " refused: CRIU must run as root (run agentd as root)");
        }
        return result;
    }

    /** Runs {@code criu --version} and accepts the binary if it is new enough. */
    private static Criu checked(Path criu, CommandRunner runner) throws CriuException {
        List<String> argv = List.of(criu.toString(), "--version");
        CommandRunner.Result result;
        try {
            result = runner.run(argv, VERSION_TIMEOUT);
        } catch (IOException e) {
            throw new CriuException("could not run " + criu + " --version: " + e.getMessage()
                    + " (is it a working criu? " + INSTALL_HINT + ")", e);
        }
        if (result.exitCode() != 0) {
            throw new CriuException(criu + " --version exited with status " + result.exitCode()
                    + firstLine(result.output()) + ": reinstall CRIU 4.0 or newer");
        }
        CriuVersion version;
        try {
            version = CriuVersion.parse(result.output());
        } catch (IllegalArgumentException e) {
            throw new CriuException(criu + ": " + e.getMessage() + " (is it really CRIU?)", e);
        }
        if (version.compareTo(MINIMUM_VERSION) < 0) {
            throw new CriuException("criu " + version + " at " + criu + " is too old: agentd needs CRIU "
                    + MINIMUM_VERSION + " or newer (3.x fails to dump on kernels 6.x); "
                    + "Debian trixie: apt install criu; on bookworm build CRIU 4 from source into "
                    + "/usr/local/sbin, which is searched first (see docs/checkpoint.md)");
        }
        return new Criu(criu, version, runner);
    }

    private static boolean isExecutableFile(Path p) {
        return Files.isRegularFile(p) && Files.isExecutable(p);
    }

    private static String joined(List<Path> dirs) {
        return dirs.stream().map(Path::toString).collect(Collectors.joining(":"));
    }

    private static String firstLine(String output) {
        String s = output.strip();
        if (s.isEmpty()) {
            return "";
        }
        int nl = s.indexOf('\n');
        return " (" + (nl < 0 ? s : s.substring(0, nl)) + ")";
    }
}
