package dev.agentd.manifest;

import dev.agentd.cgroups.CgroupLimits;
import dev.agentd.cgroups.CpuQuota;
import dev.agentd.cgroups.LimitSyntax;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.CharacterCodingException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.Function;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.api.lowlevel.Compose;
import org.snakeyaml.engine.v2.exceptions.Mark;
import org.snakeyaml.engine.v2.exceptions.MarkedYamlEngineException;
import org.snakeyaml.engine.v2.exceptions.ReaderException;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.NodeTuple;
import org.snakeyaml.engine.v2.nodes.ScalarNode;
import org.snakeyaml.engine.v2.nodes.SequenceNode;
import org.snakeyaml.engine.v2.nodes.Tag;
import org.snakeyaml.engine.v2.schema.CoreSchema;

/**
 * Parses and validates agent manifests (YAML, snake_case keys) into {@link Manifest}s.
 *
 * <p>The parser works on snakeyaml-engine's node tree (the Compose API) rather than on
 * loaded Java maps, because only nodes carry the line and column each error must point at,
 * and because duplicate keys must be seen rather than silently merged. It is strict by design:
 * unknown keys, duplicate keys, wrong types and empty values are all errors, since a typo in a
 * sandbox description must never quietly grant more than the author meant. It reports every
 * problem it can find in one pass, sorted by position, through {@link ManifestException}.
 *
 * <p>Stateless and thread-safe: each call works on its own state.
 */
public final class ManifestParser {

    /** Manifests larger than this are refused before parsing: they are a mistake, not an agent. */
    public static final int MAX_CHARS = 1 << 20;

    /** The file name shown in errors for text that came without one. */
    public static final String ANONYMOUS = "<manifest>";

    private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9._-]{0,62}");
    private static final Pattern ENV_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

    private static final List<String> ROOT_KEYS = List.of("name", "command", "env", "workdir", "uid", "resources",
            "limits", "filesystem", "network", "landlock", "seccomp", "restart", "capabilities", "approval_required");
    private static final List<String> LIMIT_KEYS = List.of("toolcalls_per_second", "toolcall_burst");
    private static final List<String> RESOURCE_KEYS = List.of("memory", "memory_high", "swap", "cpus", "cpu_weight",
            "pids", "io_weight", "tmp_size");
    private static final List<String> FILESYSTEM_KEYS = List.of("read", "write", "exec");
    private static final List<String> RESTART_KEYS = List.of("policy", "max_retries", "backoff");
    private static final List<String> CONSTRAINT_KEYS = List.of("max_invocations", "rate", "expires");
    private static final List<String> GRANT_KEYS = Arrays.stream(GrantKind.values())
            .map(GrantKind::yamlKey).collect(Collectors.toUnmodifiableList());
    private static final List<String> GRANT_ENTRY_KEYS = concat(GRANT_KEYS, CONSTRAINT_KEYS);

    private static final String MEMORY_EXPECTED = "a memory size such as 512M, 1.5G or max";

    private final String file;
    /** Directory a relative seccomp profile is resolved against; null when the text has no file. */
    private final Path baseDir;
    private final List<ManifestError> errors = new ArrayList<>();
    /**
     * Keys offered as "did you mean" for unknown keys, by mapping node. A missing required key
     * that was already suggested is not reported again: one typo, one error.
     */
    private final Map<Node, List<String>> suggested = new IdentityHashMap<>();

    private ManifestParser(String file, Path baseDir) {
        this.file = file;
        this.baseDir = baseDir;
    }

    /**
     * Parses manifest text.
     *
     * @param text     the YAML document
     * @param fileName the name to show in errors, or null for {@value #ANONYMOUS}. When it is an
     *                 absolute path, a relative {@code seccomp} profile is resolved against its
     *                 directory; otherwise a relative profile path is an error, because there is
     *                 nothing meaningful to resolve it against (the daemon's working directory
     *                 is not).
     * @throws ManifestException listing every problem found, sorted by position
     */
    public static Manifest parse(String text, String fileName) throws ManifestException {
        String name = fileName == null || fileName.isEmpty() ? ANONYMOUS : fileName;
        Path base = null;
        if (fileName != null) {
            try {
                Path p = Path.of(fileName);
                if (p.isAbsolute() && p.getParent() != null) {
                    base = p.getParent();
                }
            } catch (InvalidPathException e) {
                // Only a display name then; relative seccomp paths will be refused.
            }
        }
        return new ManifestParser(name, base).run(text);
    }

    /**
     * Reads and parses a manifest file (UTF-8). Errors name the file as given; a relative
     * {@code seccomp} profile is resolved against the file's directory.
     *
     * @throws IOException       if the file cannot be read
     * @throws ManifestException if it is not a valid manifest (including not UTF-8, or too large)
     */
    public static Manifest parse(Path file) throws IOException, ManifestException {
        ManifestParser parser = new ManifestParser(file.toString(), file.toAbsolutePath().normalize().getParent());
        if (!Files.isRegularFile(file)) {
            // /dev/zero has size 0 and no end; a FIFO blocks the reader.
            throw parser.single("not a regular file: manifests are read from regular files only");
        }
        if (Files.size(file) > 4L * MAX_CHARS) {
            throw parser.single("manifest is larger than " + MAX_CHARS + " characters");
        }
        String text;
        try {
            text = Files.readString(file);
        } catch (CharacterCodingException e) {
            throw parser.single("not valid UTF-8 text: expected a UTF-8 YAML document");
        }
        return parser.run(text);
    }

    // ------------------------------------------------------------------ document

    private Manifest run(String text) throws ManifestException {
        if (text.length() > MAX_CHARS) {
            throw single("manifest is larger than " + MAX_CHARS + " characters");
        }
        // A byte-order mark is invisible in editors; dropping it keeps column numbers right.
        String yaml = text.startsWith("\uFEFF") ? text.substring(1) : text;
        Optional<Node> root;
        try {
            root = new Compose(settings()).composeString(yaml);
        } catch (MarkedYamlEngineException e) {
            throw syntaxError(e);
        } catch (ReaderException e) {
            int[] lc = lineColumn(yaml, e.getPosition());
            throw new ManifestException(List.of(new ManifestError(file, lc[0], lc[1], "",
                    "YAML syntax error: special character " + String.format("U+%04X", e.getCodePoint())
                            + " is not allowed; write it as the escape \"" + String.format("\\u%04x", e.getCodePoint())
                            + "\" inside double quotes")));
        } catch (YamlEngineException e) {
            throw single("YAML error: " + e.getMessage());
        }
        if (root.isEmpty()) {
            throw single("empty manifest: expected a mapping with at least name and command");
        }
        Manifest manifest = manifest(root.get(), text);
        if (!errors.isEmpty()) {
            throw new ManifestException(errors);
        }
        return manifest;
    }

    private LoadSettings settings() {
        return LoadSettings.builder()
                .setLabel(file)
                // YAML 1.2 core schema: `yes`/`no`/`on`/`off` stay strings (no Norway problem).
                .setSchema(new CoreSchema())
                // Duplicates are reported by this parser, with both positions, among the other errors.
                .setAllowDuplicateKeys(true)
                .setAllowRecursiveKeys(false)
                // Billion-laughs guard; a manifest needs few aliases if any.
                .setMaxAliasesForCollections(50)
                .setCodePointLimit(MAX_CHARS)
                .build();
    }

    private ManifestException syntaxError(MarkedYamlEngineException e) {
        Optional<Mark> mark = e.getProblemMark().isPresent() ? e.getProblemMark() : e.getContextMark();
        int line = mark.map(m -> m.getLine() + 1).orElse(1);
        int column = mark.map(m -> m.getColumn() + 1).orElse(1);
        String problem = e.getProblem() != null ? e.getProblem().strip() : e.getClass().getSimpleName();
        StringBuilder msg = new StringBuilder("YAML syntax error: ");
        if (e.getContext() == null || e.getContext().isBlank()) {
            msg.append(problem);
        } else {
            String where = e.getContextMark().map(m -> " at " + (m.getLine() + 1) + ":" + (m.getColumn() + 1)).orElse("");
            if (problem.startsWith("but ")) {
                // snakeyaml splits "expected X ..., but found Y" across context and problem.
                msg.append(e.getContext().strip()).append(" (started").append(where).append("), ").append(problem);
            } else {
                msg.append(problem).append(" (").append(e.getContext().strip()).append(where).append(')');
            }
        }
        return new ManifestException(List.of(new ManifestError(file, line, column, "", msg.toString().strip())));
    }

    private Manifest manifest(Node root, String source) {
        Map<String, NodeTuple> m = mapping(root, "", "a mapping of manifest keys (name, command, ...)", ROOT_KEYS);
        if (m == null) {
            return null;
        }
        String name = null;
        List<String> command = null;
        Map<String, String> env = Map.of();
        Path workdir = Manifest.DEFAULT_WORKDIR;
        Uid uid = Uid.AUTO;
        Resources resources = Resources.DEFAULTS;
        Limits limits = Limits.NONE;
        FilesystemGrants filesystem = FilesystemGrants.NONE;
        NetworkMode network = NetworkMode.NONE;
        LandlockMode landlock = LandlockMode.HARD;
        SeccompChoice seccomp = SeccompChoice.DEFAULT;
        RestartPolicy restart = RestartPolicy.NEVER;
        List<Grant> capabilities = List.of();
        List<Grant> approvalRequired = List.of();

        for (Map.Entry<String, NodeTuple> e : m.entrySet()) {
            Node v = e.getValue().getValueNode();
            String key = e.getKey();
            switch (key) {
                case "name" -> name = name(v);
                case "command" -> command = command(v);
                case "env" -> env = env(v);
                case "workdir" -> workdir = orDefault(path(v, "workdir", Syntax::absolutePath), workdir);
                case "uid" -> uid = orDefault(uid(v), uid);
                case "resources" -> resources = orDefault(resources(v), resources);
                case "limits" -> limits = orDefault(limits(v), limits);
                case "filesystem" -> filesystem = orDefault(filesystem(v), filesystem);
                case "network" -> network = orDefault(choice(v, "network", NetworkMode.values(), NetworkMode::yamlName), network);
                case "landlock" -> landlock = orDefault(choice(v, "landlock", LandlockMode.values(), LandlockMode::yamlName), landlock);
                case "seccomp" -> seccomp = orDefault(seccomp(v), seccomp);
                case "restart" -> restart = orDefault(restart(v), restart);
                case "capabilities" -> capabilities = orDefault(grants(v, "capabilities", false), capabilities);
                case "approval_required" -> approvalRequired = orDefault(grants(v, "approval_required", true), approvalRequired);
                default -> throw new AssertionError(key); // mapping() already refused unknown keys
            }
        }
        if (missing(root, m, "name")) {
            error(root, "name", "missing required key: expected the agent's name, such as name: researcher");
        }
        if (missing(root, m, "command")) {
            error(root, "command", "missing required key: expected the program and its arguments, "
                    + "such as command: [/usr/bin/python3, agent.py]");
        }
        if (!errors.isEmpty()) {
            return null;
        }
        return new Manifest(name, command, env, workdir, uid, resources, limits, filesystem, network, landlock, seccomp,
                restart, capabilities, approvalRequired, source);
    }

    // ------------------------------------------------------------------ top-level keys

    private String name(Node v) {
        String s = string(v, "name", "the agent's name", true);
        if (s != null && !NAME.matcher(s).matches()) {
            error(v, "name", "invalid name " + Syntax.quote(s) + ": expected 1 to 63 characters from a-z, 0-9, "
                    + "'.', '_' and '-', starting with a letter or digit");
            return null;
        }
        return s;
    }

    private List<String> command(Node v) {
        if (!(v instanceof SequenceNode)) {
            String hint = isString(v) ? " (a single string is not split into words)" : "";
            error(v, "command", "expected a list of strings such as [/usr/bin/python3, agent.py], got "
                    + describe(v) + hint);
            return null;
        }
        List<Node> items = ((SequenceNode) v).getValue();
        if (items.isEmpty()) {
            error(v, "command", "expected at least one element: the program to run");
            return null;
        }
        List<String> argv = new ArrayList<>();
        boolean ok = true;
        for (int i = 0; i < items.size(); i++) {
            String key = "command[" + i + "]";
            String arg = string(items.get(i), key, "a string", true);
            if (arg == null || !noNul(items.get(i), key, arg, "argument")) {
                ok = false;
                continue;
            }
            if (i == 0) {
                if (arg.isEmpty()) {
                    error(items.get(i), key, "empty program: expected an absolute path or a bare program name "
                            + "(looked up in PATH)");
                    ok = false;
                } else if (arg.indexOf('/') >= 0 && !arg.startsWith("/")) {
                    error(items.get(i), key, "invalid program " + Syntax.quote(arg) + ": expected an absolute path "
                            + "or a bare program name (looked up in PATH); relative paths depend on the working directory");
                    ok = false;
                }
            }
            argv.add(arg);
        }
        return ok ? argv : null;
    }

    private Map<String, String> env(Node v) {
        Map<String, NodeTuple> m = mapping(v, "env", "a mapping of variable names to values", null);
        if (m == null) {
            return null;
        }
        Map<String, String> env = new LinkedHashMap<>();
        for (Map.Entry<String, NodeTuple> e : m.entrySet()) {
            String key = "env." + e.getKey();
            if (!ENV_NAME.matcher(e.getKey()).matches()) {
                error(e.getValue().getKeyNode(), key, "invalid environment variable name " + Syntax.quote(e.getKey())
                        + ": expected letters, digits and '_', not starting with a digit");
                continue;
            }
            Node val = e.getValue().getValueNode();
            String text = null;
            if (val instanceof ScalarNode && isTag(val, Tag.STR, Tag.INT, Tag.FLOAT, Tag.BOOL)) {
                // Numbers and booleans are taken as written (`1.50` stays "1.50"), not re-rendered.
                text = ((ScalarNode) val).getValue();
            } else if (isNull(val)) {
                error(val, key, "expected a value, got an empty value (write " + e.getKey() + ": \"\" for an empty string)");
            } else {
                error(val, key, "expected a string, number or boolean, got " + describe(val));
            }
            if (text != null && noNul(val, key, text, "value")) {
                env.put(e.getKey(), text);
            }
        }
        return env;
    }

    private Uid uid(Node v) {
        String expected = "expected \"auto\" or a uid from " + Uid.MIN + " to " + Uid.MAX;
        if (isString(v) && ((ScalarNode) v).getValue().equals("auto")) {
            return Uid.AUTO;
        }
        if (v instanceof ScalarNode && isTag(v, Tag.INT)) {
            BigInteger n = integerValue(v, "uid");
            if (n == null) {
                return null;
            }
            if (n.signum() == 0) {
                error(v, "uid", "uid 0 is root, and agents never run as root: " + expected);
                return null;
            }
            if (n.compareTo(BigInteger.valueOf(Uid.MIN)) < 0 || n.compareTo(BigInteger.valueOf(Uid.MAX)) > 0) {
                error(v, "uid", "uid " + n + " is out of range: " + expected);
                return null;
            }
            return Uid.of(n.intValueExact());
        }
        error(v, "uid", expected + ", got " + describe(v));
        return null;
    }

    private Resources resources(Node v) {
        int before = errors.size();
        Map<String, NodeTuple> m = mapping(v, "resources", "a mapping of resource limits", RESOURCE_KEYS);
        if (m == null) {
            return null;
        }
        Long memory = null;
        Long memoryHigh = null;
        Long swap = null;
        CpuQuota cpus = null;
        Long cpuWeight = null;
        Long pids = null;
        Long ioWeight = null;
        long tmpSize = Resources.DEFAULT_TMP_SIZE;
        for (Map.Entry<String, NodeTuple> e : m.entrySet()) {
            Node n = e.getValue().getValueNode();
            String key = "resources." + e.getKey();
            switch (e.getKey()) {
                case "memory" -> memory = limit(n, key, MEMORY_EXPECTED, LimitSyntax::parseMemory);
                case "memory_high" -> memoryHigh = limit(n, key, MEMORY_EXPECTED, LimitSyntax::parseMemory);
                case "swap" -> swap = limit(n, key, MEMORY_EXPECTED, LimitSyntax::parseMemory);
                case "cpus" -> cpus = limit(n, key, "a number of CPUs such as 0.5 or 2, or max", LimitSyntax::parseCpus);
                case "cpu_weight" -> cpuWeight = integer(n, key, CgroupLimits.WEIGHT_MIN, CgroupLimits.WEIGHT_MAX);
                case "pids" -> pids = limit(n, key, "a number of processes such as 256, or max", LimitSyntax::parsePids);
                case "io_weight" -> ioWeight = integer(n, key, CgroupLimits.WEIGHT_MIN, CgroupLimits.WEIGHT_MAX);
                case "tmp_size" -> {
                    Long t = limit(n, key, "a memory size such as 64M", LimitSyntax::parseMemory);
                    if (t != null && (t == 0 || t == CgroupLimits.MAX)) {
                        // tmpfs treats size=0 as "no limit"; /tmp must always be bounded.
                        error(n, key, "/tmp needs a bounded size: expected a memory size above zero such as 64M, not "
                                + Syntax.quote(((ScalarNode) n).getValue()));
                    } else if (t != null) {
                        tmpSize = t;
                    }
                }
                default -> throw new AssertionError(e.getKey());
            }
        }
        // The cgroups builder refuses these combinations too, but only here do we know which
        // line to point at.
        if (swap != null && memory == null && !m.containsKey("memory")) {
            error(m.get("swap").getValueNode(), "resources.swap",
                    "swap needs memory to be set too (cgroup v1 limits memory and swap as one total)");
        }
        if (memory != null && memoryHigh != null && memoryHigh != CgroupLimits.MAX && memoryHigh > memory) {
            error(m.get("memory_high").getValueNode(), "resources.memory_high", "memory_high ("
                    + ((ScalarNode) m.get("memory_high").getValueNode()).getValue() + ") is above memory ("
                    + ((ScalarNode) m.get("memory").getValueNode()).getValue() + "), so it would never take effect: "
                    + "expected a value at most memory");
        }
        if (errors.size() > before) {
            return null;
        }
        CgroupLimits.Builder b = CgroupLimits.builder();
        try {
            if (memory != null) {
                b.memoryMax(memory);
            }
            if (memoryHigh != null) {
                b.memoryHigh(memoryHigh);
            }
            if (swap != null) {
                b.swapMax(swap);
            }
            if (cpus != null) {
                b.cpuMax(cpus);
            }
            if (cpuWeight != null) {
                b.cpuWeight(cpuWeight.intValue());
            }
            if (pids != null) {
                b.pidsMax(pids);
            }
            if (ioWeight != null) {
                b.ioWeight(ioWeight.intValue());
            }
            return new Resources(b.build(), tmpSize);
        } catch (IllegalArgumentException e) {
            // Only reached if the cgroups module adds a rule this parser does not pre-check.
            error(v, "resources", e.getMessage());
            return null;
        }
    }

    private Limits limits(Node v) {
        int before = errors.size();
        Map<String, NodeTuple> m = mapping(v, "limits", "a mapping of limits such as {toolcalls_per_second: 50}", LIMIT_KEYS);
        if (m == null) {
            return null;
        }
        OptionalLong perSecond = OptionalLong.empty();
        OptionalLong burst = OptionalLong.empty();
        for (Map.Entry<String, NodeTuple> e : m.entrySet()) {
            String key = "limits." + e.getKey();
            Long n = integer(e.getValue().getValueNode(), key, 1, Limits.MAX_TOOLCALL_RATE);
            if (n == null) {
                continue;
            }
            switch (e.getKey()) {
                case "toolcalls_per_second" -> perSecond = OptionalLong.of(n);
                case "toolcall_burst" -> burst = OptionalLong.of(n);
                default -> throw new AssertionError(e.getKey());
            }
        }
        return errors.size() > before ? null : new Limits(perSecond, burst);
    }

    /** A limit in cgroup syntax, parsed by the cgroups module so both sides agree on its meaning. */
    private <T> T limit(Node n, String key, String expected, Function<String, T> parser) {
        if (!(n instanceof ScalarNode) || !isTag(n, Tag.STR, Tag.INT, Tag.FLOAT)) {
            error(n, key, "expected " + expected + ", got " + describe(n));
            return null;
        }
        try {
            return parser.apply(((ScalarNode) n).getValue());
        } catch (IllegalArgumentException e) {
            error(n, key, e.getMessage());
            return null;
        }
    }

    private FilesystemGrants filesystem(Node v) {
        int before = errors.size();
        Map<String, NodeTuple> m = mapping(v, "filesystem", "a mapping with read, write and exec lists", FILESYSTEM_KEYS);
        if (m == null) {
            return null;
        }
        List<PathGrant> read = pathList(m.get("read"), "filesystem.read");
        List<PathGrant> write = pathList(m.get("write"), "filesystem.write");
        List<PathGrant> exec = pathList(m.get("exec"), "filesystem.exec");
        return errors.size() > before ? null : new FilesystemGrants(read, write, exec);
    }

    private List<PathGrant> pathList(NodeTuple t, String key) {
        if (t == null) {
            return List.of();
        }
        Node v = t.getValueNode();
        if (!(v instanceof SequenceNode)) {
            error(v, key, "expected a list of absolute paths such as [/data, /srv/models/**], got " + describe(v));
            return List.of();
        }
        List<PathGrant> grants = new ArrayList<>();
        List<Node> items = ((SequenceNode) v).getValue();
        for (int i = 0; i < items.size(); i++) {
            PathGrant g = path(items.get(i), key + "[" + i + "]", Syntax::pathGrant);
            if (g != null) {
                grants.add(g);
            }
        }
        return grants;
    }

    private <T> T path(Node n, String key, Function<String, T> parser) {
        String s = string(n, key, "an absolute path", false);
        if (s == null) {
            return null;
        }
        try {
            return parser.apply(s);
        } catch (IllegalArgumentException e) {
            error(n, key, e.getMessage());
            return null;
        }
    }

    private SeccompChoice seccomp(Node v) {
        String s = string(v, "seccomp", "\"default\" or the path of an OCI seccomp profile (JSON)", false);
        if (s == null) {
            return null;
        }
        if (s.equals("default")) {
            return SeccompChoice.DEFAULT;
        }
        if (s.isEmpty()) {
            error(v, "seccomp", "empty value: expected \"default\" or the path of an OCI seccomp profile (JSON)");
            return null;
        }
        if (!noNul(v, "seccomp", s, "path")) {
            return null;
        }
        Path p;
        try {
            p = Path.of(s);
        } catch (InvalidPathException e) {
            error(v, "seccomp", "invalid path " + Syntax.quote(s) + ": " + e.getReason());
            return null;
        }
        if (!p.isAbsolute()) {
            if (baseDir == null) {
                Optional<String> dym = Suggest.closest(s, List.of("default"));
                error(v, "seccomp", "relative profile path " + Syntax.quote(s) + " needs a manifest file to resolve "
                        + "against: expected \"default\" or an absolute path"
                        + dym.map(d -> "; did you mean \"" + d + "\"?").orElse(""));
                return null;
            }
            p = baseDir.resolve(p);
        }
        return SeccompChoice.profile(p);
    }

    private RestartPolicy restart(Node v) {
        if (v instanceof MappingNode) {
            int before = errors.size();
            Map<String, NodeTuple> m = mapping(v, "restart", "a restart mapping", RESTART_KEYS);
            if (m == null) {
                return null;
            }
            RestartPolicy.Policy policy = null;
            long maxRetries = RestartPolicy.DEFAULT_MAX_RETRIES;
            Duration backoff = RestartPolicy.DEFAULT_BACKOFF;
            if (m.containsKey("policy")) {
                policy = choice(m.get("policy").getValueNode(), "restart.policy", RestartPolicy.Policy.values(),
                        RestartPolicy.Policy::yamlName);
            } else if (missing(v, m, "policy")) {
                error(v, "restart.policy", "missing required key: expected one of never, on-failure, always");
            }
            if (m.containsKey("max_retries")) {
                Long n = integer(m.get("max_retries").getValueNode(), "restart.max_retries", 0, Integer.MAX_VALUE);
                maxRetries = n == null ? maxRetries : n;
            }
            if (m.containsKey("backoff")) {
                Node b = m.get("backoff").getValueNode();
                Duration d = durationValue(b, "restart.backoff");
                backoff = d == null ? backoff : d;
            }
            return errors.size() > before ? null : new RestartPolicy(policy, (int) maxRetries, backoff);
        }
        if (!isString(v)) {
            error(v, "restart", "expected one of never, on-failure, always, or a mapping with policy, max_retries "
                    + "and backoff, got " + describe(v));
            return null;
        }
        RestartPolicy.Policy p = choice(v, "restart", RestartPolicy.Policy.values(), RestartPolicy.Policy::yamlName);
        return p == null ? null : new RestartPolicy(p, RestartPolicy.DEFAULT_MAX_RETRIES, RestartPolicy.DEFAULT_BACKOFF);
    }

    private Duration durationValue(Node n, String key) {
        if (!isString(n)) {
            String hint = n instanceof ScalarNode && isTag(n, Tag.INT, Tag.FLOAT)
                    ? " (a bare number has no unit: write " + ((ScalarNode) n).getValue() + "s for seconds)" : "";
            error(n, key, Syntax.DURATION_EXPECTED + ", got " + describe(n) + hint);
            return null;
        }
        try {
            return Syntax.duration(((ScalarNode) n).getValue());
        } catch (IllegalArgumentException e) {
            error(n, key, e.getMessage());
            return null;
        }
    }

    // ------------------------------------------------------------------ grants

    private List<Grant> grants(Node v, String key, boolean toolNamesAllowed) {
        if (!(v instanceof SequenceNode)) {
            error(v, key, "expected a list of grants such as [{tool: web_search}, {net: api.example.com:443}], got "
                    + describe(v));
            return null;
        }
        int before = errors.size();
        List<Grant> grants = new ArrayList<>();
        List<Node> items = ((SequenceNode) v).getValue();
        for (int i = 0; i < items.size(); i++) {
            Node item = items.get(i);
            String itemKey = key + "[" + i + "]";
            Grant g;
            if (toolNamesAllowed && isString(item)) {
                g = grantValue(item, itemKey, GrantKind.TOOL).map(s -> Grant.of(GrantKind.TOOL, s)).orElse(null);
            } else if (item instanceof MappingNode) {
                g = grant((MappingNode) item, itemKey);
            } else {
                error(item, itemKey, (toolNamesAllowed ? "expected a tool name or a grant mapping" : "expected a grant mapping")
                        + " such as {tool: web_search} or {net: api.example.com:443, rate: 10/m}, got " + describe(item));
                g = null;
            }
            if (g != null) {
                grants.add(g);
            }
        }
        return errors.size() > before ? null : grants;
    }

    private Grant grant(MappingNode node, String key) {
        int before = errors.size();
        Map<String, NodeTuple> m = mapping(node, key, "a grant mapping", GRANT_ENTRY_KEYS);
        if (m == null) {
            return null;
        }
        GrantKind kind = null;
        NodeTuple first = null;
        String value = null;
        OptionalLong maxInvocations = OptionalLong.empty();
        Optional<Rate> rate = Optional.empty();
        Optional<Expiry> expires = Optional.empty();
        for (Map.Entry<String, NodeTuple> e : m.entrySet()) {
            String k = e.getKey();
            String fieldKey = key + "." + k;
            Node n = e.getValue().getValueNode();
            Optional<GrantKind> gk = GrantKind.fromYamlKey(k);
            if (gk.isPresent()) {
                if (first != null) {
                    error(e.getValue().getKeyNode(), fieldKey, "one grant per entry: this entry already grants "
                            + kind.yamlKey() + " (line " + line(first.getKeyNode()) + "); expected " + k
                            + " in a separate list entry");
                    continue;
                }
                first = e.getValue();
                kind = gk.get();
                value = grantValue(n, fieldKey, kind).orElse(null);
                continue;
            }
            switch (k) {
                case "max_invocations" -> {
                    Long l = integer(n, fieldKey, 1, Long.MAX_VALUE);
                    if (l != null) {
                        maxInvocations = OptionalLong.of(l);
                    }
                }
                case "rate" -> rate = Optional.ofNullable(parsed(n, fieldKey, "a rate such as 10/m", Syntax::rate));
                case "expires" -> expires = Optional.ofNullable(parsed(n, fieldKey,
                        "an ISO-8601 instant such as 2026-12-01T00:00:00Z or a duration such as 24h", Syntax::expiry));
                default -> throw new AssertionError(k);
            }
        }
        boolean grantSuggested = suggested.getOrDefault(node, List.of()).stream().anyMatch(GRANT_KEYS::contains);
        if (first == null && !grantSuggested) {
            error(node, key, "missing grant: expected exactly one of " + String.join(", ", GRANT_KEYS));
        }
        if (errors.size() > before) {
            return null;
        }
        return new Grant(kind, value, new GrantConstraints(maxInvocations, rate, expires));
    }

    private Optional<String> grantValue(Node n, String key, GrantKind kind) {
        String expected = switch (kind) {
            case TOOL -> "a tool name";
            case FILE_READ, FILE_WRITE -> "an absolute path, optionally ending in /**";
            case NET -> "HOST or HOST:PORT";
            case SPAWN -> "an agent or program name";
            case SECRET -> "a secret name";
            case LLM -> "a model name";
        };
        return Optional.ofNullable(parsed(n, key, expected, s -> switch (kind) {
            case FILE_READ, FILE_WRITE -> Syntax.pathGrant(s).toString();
            case NET -> Syntax.hostPort(s);
            case TOOL -> Syntax.plainName(s, "tool name");
            case SPAWN -> Syntax.plainName(s, "spawn target");
            case SECRET -> Syntax.plainName(s, "secret name");
            case LLM -> Syntax.plainName(s, "model name");
        }));
    }

    private <T> T parsed(Node n, String key, String expected, Function<String, T> parser) {
        String s = string(n, key, expected, false);
        if (s == null) {
            return null;
        }
        try {
            return parser.apply(s);
        } catch (IllegalArgumentException e) {
            error(n, key, e.getMessage());
            return null;
        }
    }

    // ------------------------------------------------------------------ node helpers

    /**
     * The entries of a mapping node by key, in document order. Reports non-string keys,
     * duplicate keys (keeping the first) and, when {@code known} is not null, unknown keys
     * (with a suggestion). Returns null, after reporting, if {@code node} is not a mapping.
     */
    private Map<String, NodeTuple> mapping(Node node, String path, String what, List<String> known) {
        if (!(node instanceof MappingNode)) {
            error(node, path, "expected " + what + ", got " + describe(node));
            return null;
        }
        Map<String, NodeTuple> entries = new LinkedHashMap<>();
        // Every key seen, known or not, so a repeated typo is reported as a duplicate too.
        Map<String, Node> seen = new HashMap<>();
        for (NodeTuple t : ((MappingNode) node).getValue()) {
            Node k = t.getKeyNode();
            if (!(k instanceof ScalarNode)) {
                error(k, path, "expected a plain key, got " + describe(k) + " as a key");
                continue;
            }
            String key = ((ScalarNode) k).getValue();
            String keyPath = path.isEmpty() ? key : path + "." + key;
            Node previous = seen.putIfAbsent(key, k);
            if (previous != null) {
                error(k, keyPath, "duplicate key " + Syntax.quote(key) + " (first given at line "
                        + line(previous) + "): expected each key once");
                continue;
            }
            if (key.equals("<<")) {
                error(k, keyPath, "YAML merge keys (<<) are not supported: expected the keys written out");
                continue;
            }
            if (known != null && !known.contains(key)) {
                Optional<String> dym = Suggest.closest(key, known);
                dym.ifPresent(d -> suggested.computeIfAbsent(node, x -> new ArrayList<>()).add(d));
                error(k, keyPath, "unknown key " + Syntax.quote(key) + dym.map(d -> ": did you mean \"" + d + "\"?")
                        .orElse(": expected one of " + String.join(", ", known)));
                continue;
            }
            entries.put(key, t);
        }
        return entries;
    }

    /** True when {@code key} is absent and was not already offered as a "did you mean". */
    private boolean missing(Node mapping, Map<String, NodeTuple> entries, String key) {
        return !entries.containsKey(key) && !suggested.getOrDefault(mapping, List.of()).contains(key);
    }

    /** A string scalar, or null after reporting what was expected. */
    private String string(Node n, String key, String expected, boolean quoteHint) {
        if (isString(n)) {
            return ((ScalarNode) n).getValue();
        }
        String hint = "";
        if (quoteHint && n instanceof ScalarNode && isTag(n, Tag.INT, Tag.FLOAT, Tag.BOOL)) {
            hint = " (put it in quotes to use it as text: \"" + ((ScalarNode) n).getValue() + "\")";
        }
        error(n, key, "expected " + expected + ", got " + describe(n) + hint);
        return null;
    }

    /** One of an enum's manifest spellings, with "did you mean" for near misses. */
    private <E extends Enum<E>> E choice(Node n, String key, E[] values, Function<E, String> spelling) {
        List<String> names = Arrays.stream(values).map(spelling).collect(Collectors.toList());
        String expected = "expected " + oneOf(names);
        if (!isString(n)) {
            error(n, key, expected + ", got " + describe(n));
            return null;
        }
        String s = ((ScalarNode) n).getValue();
        for (E e : values) {
            if (spelling.apply(e).equals(s)) {
                return e;
            }
        }
        Optional<String> dym = Suggest.closest(s, names);
        error(n, key, "invalid " + key.substring(key.lastIndexOf('.') + 1) + " " + Syntax.quote(s) + ": " + expected
                + dym.map(d -> "; did you mean \"" + d + "\"?").orElse(""));
        return null;
    }

    /** An integer in [min, max], or null after reporting. */
    private Long integer(Node n, String key, long min, long max) {
        String expected;
        if (max == Long.MAX_VALUE || max == Integer.MAX_VALUE) {
            expected = min == 0 ? "expected a non-negative integer"
                    : min == 1 ? "expected a positive integer" : "expected an integer of at least " + min;
        } else {
            expected = "expected an integer from " + min + " to " + max;
        }
        if (!(n instanceof ScalarNode) || !isTag(n, Tag.INT)) {
            error(n, key, expected + ", got " + describe(n));
            return null;
        }
        BigInteger v = integerValue(n, key);
        if (v == null) {
            return null;
        }
        if (v.compareTo(BigInteger.valueOf(min)) < 0 || v.compareTo(BigInteger.valueOf(max)) > 0) {
            error(n, key, expected + ", got " + ((ScalarNode) n).getValue());
            return null;
        }
        return v.longValueExact();
    }

    private BigInteger integerValue(Node n, String key) {
        try {
            return Syntax.yamlInteger(((ScalarNode) n).getValue());
        } catch (NumberFormatException e) {
            error(n, key, "expected an integer, got " + describe(n));
            return null;
        }
    }

    private boolean noNul(Node n, String key, String s, String what) {
        try {
            Syntax.checkNoNul(s, what);
            return true;
        } catch (IllegalArgumentException e) {
            error(n, key, e.getMessage());
            return false;
        }
    }

    private static boolean isString(Node n) {
        return n instanceof ScalarNode && n.getTag().equals(Tag.STR);
    }

    private static boolean isNull(Node n) {
        return n instanceof ScalarNode && n.getTag().equals(Tag.NULL);
    }

    private static boolean isTag(Node n, Tag... tags) {
        for (Tag t : tags) {
            if (n.getTag().equals(t)) {
                return true;
            }
        }
        return false;
    }

    /** How a node reads in an error message: "a list", "the integer 10", "an empty value". */
    static String describe(Node n) {
        if (n instanceof MappingNode) {
            return "a mapping";
        }
        if (n instanceof SequenceNode) {
            return "a list";
        }
        ScalarNode s = (ScalarNode) n;
        Tag t = s.getTag();
        if (t.equals(Tag.STR)) {
            return "the string " + Syntax.quote(s.getValue());
        }
        if (t.equals(Tag.INT)) {
            return "the integer " + s.getValue();
        }
        if (t.equals(Tag.FLOAT)) {
            return "the number " + s.getValue();
        }
        if (t.equals(Tag.BOOL)) {
            return "the boolean " + s.getValue();
        }
        if (t.equals(Tag.NULL)) {
            return "an empty value";
        }
        return "a value tagged " + t.getValue();
    }

    /** {@code "a" or "b"}, {@code "a", "b" or "c"}. */
    private static String oneOf(List<String> names) {
        List<String> quoted = names.stream().map(s -> "\"" + s + "\"").collect(Collectors.toList());
        if (quoted.size() == 1) {
            return quoted.get(0);
        }
        return String.join(", ", quoted.subList(0, quoted.size() - 1)) + " or " + quoted.get(quoted.size() - 1);
    }

    private static <T> T orDefault(T value, T fallback) {
        return value == null ? fallback : value;
    }

    private static int line(Node n) {
        return n.getStartMark().map(m -> m.getLine() + 1).orElse(1);
    }

    private void error(Node at, String key, String message) {
        int line = at.getStartMark().map(m -> m.getLine() + 1).orElse(1);
        int column = at.getStartMark().map(m -> m.getColumn() + 1).orElse(1);
        errors.add(new ManifestError(file, line, column, key, message));
    }

    private ManifestException single(String message) {
        return new ManifestException(List.of(new ManifestError(file, 1, 1, "", message)));
    }

    /** 1-based line and column of a code-point offset (ReaderException positions are offsets). */
    private static int[] lineColumn(String text, int codePointOffset) {
        int line = 1;
        int column = 1;
        int seen = 0;
        for (int i = 0; i < text.length() && seen < codePointOffset; seen++) {
            int cp = text.codePointAt(i);
            i += Character.charCount(cp);
            if (cp == '\n') {
                line++;
                column = 1;
            } else {
                column++;
            }
        }
        return new int[] {line, column};
    }

    private static List<String> concat(List<String> a, List<String> b) {
        List<String> all = new ArrayList<>(a);
        all.addAll(b);
        return List.copyOf(all);
    }
}
