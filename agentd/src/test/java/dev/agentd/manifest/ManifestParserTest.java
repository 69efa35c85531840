package dev.agentd.manifest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.agentd.cgroups.CgroupLimits;
import dev.agentd.cgroups.CpuQuota;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ManifestParserTest {

    /** The smallest valid manifest; tests append the key under test to it. */
    private static final String MIN = "name: a\ncommand: [/bin/true]\n";

    private static Manifest ok(String yaml) throws ManifestException {
        return ManifestParser.parse(yaml, "t.yaml");
    }

    private static List<String> errors(String yaml) {
        ManifestException e = assertThrows(ManifestException.class, () -> ManifestParser.parse(yaml, "t.yaml"));
        return e.errors().stream().map(ManifestError::toString).toList();
    }

    private static void assertErrors(String yaml, String... expected) {
        assertEquals(List.of(expected), errors(yaml));
    }

    private static Path resource(String name) throws URISyntaxException {
        return Path.of(ManifestParserTest.class.getClassLoader().getResource(name).toURI());
    }

    // ------------------------------------------------------------------ valid manifests

    @Test
    void parse_completeManifestRoundTripsAllFields() throws Exception {
        Path file = resource("manifests/complete.yaml");
        Manifest m = ManifestParser.parse(file);

        assertEquals("complete-agent_1.0", m.name());
        assertEquals(List.of("agent", "--mode", "fast", ""), m.command());
        assertEquals(List.of("HOME", "RETRIES", "RATIO", "VERBOSE", "_private"), List.copyOf(m.env().keySet()));
        assertEquals(Map.of("HOME", "/workspace", "RETRIES", "3", "RATIO", "1.50", "VERBOSE", "true", "_private", "x=y"),
                m.env());
        assertEquals(Path.of("/srv/agent"), m.workdir());
        assertEquals(Uid.of(61001), m.uid());
        assertFalse(m.uid().isAuto());

        CgroupLimits c = m.resources().cgroup();
        assertEquals(OptionalLong.of(3L << 29), c.memoryMax());
        assertEquals(OptionalLong.of(1L << 30), c.memoryHigh());
        assertEquals(OptionalLong.of(256L << 20), c.swapMax());
        assertEquals(Optional.of(CpuQuota.ofQuota(50_000)), c.cpuMax());
        assertEquals(200, c.cpuWeight().getAsInt());
        assertEquals(OptionalLong.of(CgroupLimits.MAX), c.pidsMax());
        assertEquals(50, c.ioWeight().getAsInt());
        assertEquals(128L << 20, m.resources().tmpSizeBytes());

        assertEquals(List.of(new PathGrant(Path.of("/usr"), true), new PathGrant(Path.of("/etc/hosts"), false),
                new PathGrant(Path.of("/data"), false)), m.filesystem().read());
        assertEquals(List.of(new PathGrant(Path.of("/workspace"), true)), m.filesystem().write());
        assertEquals(List.of(new PathGrant(Path.of("/usr/bin/python3"), false), new PathGrant(Path.of("/opt/tools"), true)),
                m.filesystem().exec());
        assertEquals("/usr/**", m.filesystem().read().get(0).toString());

        assertEquals(NetworkMode.HOST, m.network());
        assertEquals(LandlockMode.BEST_EFFORT, m.landlock());
        // Relative to the manifest's own directory, not to the working directory.
        assertEquals(SeccompChoice.profile(file.toAbsolutePath().getParent().resolve("profiles/agent.json")), m.seccomp());
        assertEquals(new RestartPolicy(RestartPolicy.Policy.ALWAYS, 0, Duration.ofSeconds(90)), m.restart());

        assertEquals(List.of(
                new Grant(GrantKind.TOOL, "web_search", new GrantConstraints(OptionalLong.of(100),
                        Optional.of(new Rate(5, Duration.ofSeconds(1))),
                        Optional.of(new Expiry.At(Instant.parse("2026-12-01T00:00:00Z"))))),
                Grant.of(GrantKind.FILE_READ, "/data/**"),
                new Grant(GrantKind.FILE_WRITE, "/workspace/out.txt", new GrantConstraints(OptionalLong.empty(),
                        Optional.empty(), Optional.of(new Expiry.After(Duration.ofHours(24))))),
                new Grant(GrantKind.NET, "[2001:db8::1]:443", new GrantConstraints(OptionalLong.empty(),
                        Optional.of(new Rate(60, Duration.ofHours(1))), Optional.empty())),
                Grant.of(GrantKind.SPAWN, "summarizer"),
                Grant.of(GrantKind.SECRET, "github_token"),
                Grant.of(GrantKind.LLM, "claude-sonnet")), m.capabilities());
        assertEquals(List.of(
                Grant.of(GrantKind.TOOL, "send_email"),
                new Grant(GrantKind.NET, "api.github.com", new GrantConstraints(OptionalLong.empty(),
                        Optional.of(new Rate(1, Duration.ofMinutes(1))), Optional.empty()))), m.approvalRequired());

        assertEquals(Files.readString(file), m.source());
    }

    @Test
    void parse_minimalManifestGetsDefaults() throws Exception {
        Manifest m = ok(MIN);
        assertEquals("a", m.name());
        assertEquals(List.of("/bin/true"), m.command());
        assertEquals(Map.of(), m.env());
        assertEquals(Path.of("/workspace"), m.workdir());
        assertSame(Uid.AUTO, m.uid());
        assertTrue(m.uid().isAuto());
        assertEquals(Resources.DEFAULTS, m.resources());
        assertTrue(m.resources().cgroup().requested().isEmpty());
        assertEquals(64L << 20, m.resources().tmpSizeBytes());
        assertEquals(FilesystemGrants.NONE, m.filesystem());
        assertEquals(NetworkMode.NONE, m.network());
        assertEquals(LandlockMode.HARD, m.landlock());
        assertTrue(m.seccomp().isDefault());
        assertEquals(new RestartPolicy(RestartPolicy.Policy.NEVER, 5, Duration.ofSeconds(1)), m.restart());
        assertEquals(List.of(), m.capabilities());
        assertEquals(List.of(), m.approvalRequired());
        assertEquals(MIN, m.source());
    }

    @Test
    void parse_keepsSourceTextExactlyIncludingComments() throws Exception {
        String text = "\uFEFF# researcher\nname: a   # the name\ncommand: [/bin/true]\n";
        assertEquals(text, ok(text).source());
    }

    @Test
    void parse_flowStyleAndBlockStyleAreEquivalent() throws Exception {
        Manifest block = ok("name: a\ncommand:\n  - /bin/echo\n  - hi\nfilesystem:\n  read:\n    - /data/**\n");
        Manifest flow = ok("{name: a, command: [/bin/echo, hi], filesystem: {read: [/data/**]}}");
        assertEquals(block.command(), flow.command());
        assertEquals(block.filesystem(), flow.filesystem());
    }

    @Test
    void example_bundledExampleParsesAndDocumentsEveryKey() {
        Manifest m = Manifest.example();
        assertEquals("researcher", m.name());
        String yaml = Manifest.exampleYaml();
        List<String> keys = List.of("name", "command", "env", "workdir", "uid", "resources", "memory", "memory_high",
                "swap", "cpus", "cpu_weight", "pids", "io_weight", "tmp_size", "limits", "toolcalls_per_second",
                "toolcall_burst", "filesystem", "read", "write", "exec",
                "network", "landlock", "seccomp", "restart", "policy", "max_retries", "backoff", "capabilities",
                "max_invocations", "rate", "expires", "approval_required");
        String[] lines = yaml.split("\n");
        for (String key : keys) {
            Pattern keyLine = Pattern.compile("^\\s*(?:- )?" + key + ":");
            boolean found = false;
            for (int i = 0; i < lines.length; i++) {
                if (keyLine.matcher(lines[i]).find()) {
                    found = true;
                    boolean commented = lines[i].contains("#") || lines[i - 1].trim().startsWith("#")
                            || isInsideCommentedSection(lines, i);
                    assertTrue(commented, "example key without a comment: " + key);
                }
            }
            assertTrue(found, "example does not show key " + key);
        }
    }

    /** Keys of a nested mapping or list item are explained by the comment above their section. */
    private static boolean isInsideCommentedSection(String[] lines, int i) {
        Matcher indent = Pattern.compile("^(\\s+)").matcher(lines[i]);
        if (!indent.find()) {
            return false;
        }
        for (int j = i - 1; j >= 0; j--) {
            if (!lines[j].startsWith(" ") && !lines[j].isBlank()) {
                return j > 0 && lines[j - 1].trim().startsWith("#");
            }
        }
        return false;
    }

    // ------------------------------------------------------------------ limits

    @Test
    void limits_toolcallRateAndBurst() throws Exception {
        assertEquals(Limits.NONE, ok(MIN).limits());
        Limits l = ok(MIN + "limits:\n  toolcalls_per_second: 50\n  toolcall_burst: 120\n").limits();
        assertEquals(OptionalLong.of(50), l.toolcallsPerSecond());
        assertEquals(OptionalLong.of(120), l.toolcallBurst());
        assertEquals(new Limits(OptionalLong.empty(), OptionalLong.of(5)), ok(MIN + "limits: {toolcall_burst: 5}\n").limits());
        assertEquals(OptionalLong.of(1_000_000), ok(MIN + "limits: {toolcalls_per_second: 1000000}\n").limits()
                .toolcallsPerSecond());
    }

    @Test
    void limits_badValuesNameLineColumnAndWhatWasExpected() {
        String expected = "expected an integer from 1 to 1000000, got ";
        assertErrors(MIN + "limits:\n  toolcalls_per_second: 0\n",
                "t.yaml:4:25: limits.toolcalls_per_second: " + expected + "0");
        assertErrors(MIN + "limits:\n  toolcalls_per_second: -5\n",
                "t.yaml:4:25: limits.toolcalls_per_second: " + expected + "-5");
        assertErrors(MIN + "limits:\n  toolcalls_per_second: 2.5\n",
                "t.yaml:4:25: limits.toolcalls_per_second: " + expected + "the number 2.5");
        assertErrors(MIN + "limits:\n  toolcalls_per_second: fast\n",
                "t.yaml:4:25: limits.toolcalls_per_second: " + expected + "the string \"fast\"");
        assertErrors(MIN + "limits:\n  toolcall_burst: 1000001\n",
                "t.yaml:4:19: limits.toolcall_burst: " + expected + "1000001");
        assertErrors(MIN + "limits:\n  toolcall_burst: 99999999999999999999999\n",
                "t.yaml:4:19: limits.toolcall_burst: " + expected + "99999999999999999999999");
        assertErrors(MIN + "limits:\n  toolcall_burst:\n",
                "t.yaml:4:18: limits.toolcall_burst: " + expected + "an empty value");
        assertErrors(MIN + "limits:\n  toolcalls_per_secnd: 10\n",
                "t.yaml:4:3: limits.toolcalls_per_secnd: unknown key \"toolcalls_per_secnd\": did you mean "
                        + "\"toolcalls_per_second\"?");
        assertErrors(MIN + "limits: 200\n",
                "t.yaml:3:9: limits: expected a mapping of limits such as {toolcalls_per_second: 50}, got the integer 200");
        assertErrors(MIN + "limts: {toolcall_burst: 5}\n", "t.yaml:3:1: limts: unknown key \"limts\": did you mean \"limits\"?");
    }

    // ------------------------------------------------------------------ error format

    @Test
    void parse_invalidMemorySizeNamesFileLineColumnAndKey() {
        assertErrors("name: researcher\ncommand: [/bin/true]\nresources:\n  memory: 12Q\n",
                "t.yaml:4:11: resources.memory: invalid memory size \"12Q\": expected a number with optional K, M, G or T "
                        + "suffix, or \"max\"");
    }

    @Test
    void parse_errorCarriesStructuredFields() {
        ManifestException e = assertThrows(ManifestException.class,
                () -> ManifestParser.parse(MIN + "resources:\n  cpus: lots\n", "researcher.yaml"));
        ManifestError err = e.errors().get(0);
        assertEquals("researcher.yaml", err.file());
        assertEquals(4, err.line());
        assertEquals(9, err.column());
        assertEquals("resources.cpus", err.key());
        assertTrue(err.message().startsWith("invalid CPU count \"lots\""), err.message());
        assertEquals(err.toString(), e.getMessage());
    }

    @Test
    void parse_anonymousTextIsNamedInErrors() {
        ManifestException e = assertThrows(ManifestException.class, () -> ManifestParser.parse("name: a\n", null));
        assertEquals("<manifest>:1:1: command: missing required key: expected the program and its arguments, "
                + "such as command: [/usr/bin/python3, agent.py]", e.getMessage());
    }

    @Test
    void parse_reportsAllErrorsSortedByLine() {
        List<String> errs = errors("""
                resources:
                  memory: lots
                name: Bad
                network: wifi
                uid: 0
                """);
        assertEquals(List.of(
                "t.yaml:1:1: command: missing required key: expected the program and its arguments, "
                        + "such as command: [/usr/bin/python3, agent.py]",
                "t.yaml:2:11: resources.memory: invalid memory size \"lots\": expected a number with optional K, M, G "
                        + "or T suffix, or \"max\"",
                "t.yaml:3:7: name: invalid name \"Bad\": expected 1 to 63 characters from a-z, 0-9, '.', '_' and '-', "
                        + "starting with a letter or digit",
                "t.yaml:4:10: network: invalid network \"wifi\": expected \"none\" or \"host\"",
                "t.yaml:5:6: uid: uid 0 is root, and agents never run as root: expected \"auto\" or a uid from 1 "
                        + "to 2147483646"), errs);
    }

    @Test
    void exception_sortsErrorsAndJoinsThemOnePerLine() {
        ManifestError late = new ManifestError("f", 9, 1, "b", "late");
        ManifestError early = new ManifestError("f", 2, 5, "", "early");
        ManifestError sameLine = new ManifestError("f", 9, 1, "c", "same place, found second");
        ManifestException e = new ManifestException(List.of(late, early, sameLine));
        assertEquals(List.of(early, late, sameLine), e.errors());
        assertEquals("f:2:5: early\nf:9:1: b: late\nf:9:1: c: same place, found second", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new ManifestException(List.of()));
    }

    // ------------------------------------------------------------------ document shape and YAML

    @Test
    void parse_yamlSyntaxErrorHasLocation() {
        assertErrors("name: a\ncommand: [/bin/true\nuid: 5\n",
                "t.yaml:3:4: YAML syntax error: expected ',' or ']', but got :"
                        + " (while parsing a flow sequence at 2:10)");
    }

    @Test
    void parse_badIndentationIsASyntaxError() {
        List<String> errs = errors("name: a\ncommand: [x]\n  bad: indent\n");
        assertEquals(1, errs.size());
        assertTrue(errs.get(0).startsWith("t.yaml:3:3: YAML syntax error: "), errs.get(0));
    }

    @Test
    void parse_tabIndentationIsASyntaxErrorWithLocation() {
        List<String> errs = errors("name: a\ncommand: [x]\nenv:\n\tA: b\n");
        assertEquals(1, errs.size());
        assertTrue(errs.get(0).startsWith("t.yaml:4:1: YAML syntax error: "), errs.get(0));
    }

    @Test
    void parse_controlCharacterIsASyntaxErrorWithLocation() {
        assertErrors("name: a\ncommand: [x]\nenv:\n  A: \"ok\u0007\"\n",
                "t.yaml:4:9: YAML syntax error: special character U+0007 is not allowed; write it as the escape "
                        + "\"\\u0007\" inside double quotes");
    }

    @Test
    void parse_undefinedAliasIsASyntaxError() {
        assertErrors(MIN + "workdir: *nowhere\n", "t.yaml:3:10: YAML syntax error: found undefined alias nowhere");
    }

    @Test
    void parse_mergeKeysRefused() {
        assertErrors(MIN + "<<: {uid: 5}\n",
                "t.yaml:3:1: <<: YAML merge keys (<<) are not supported: expected the keys written out");
    }

    @Test
    void parse_nonMappingRootRefused() {
        assertErrors("- name: a\n- command: [x]\n",
                "t.yaml:1:1: expected a mapping of manifest keys (name, command, ...), got a list");
        assertErrors("just text\n",
                "t.yaml:1:1: expected a mapping of manifest keys (name, command, ...), got the string \"just text\"");
    }

    @Test
    void parse_emptyDocumentRefused() {
        assertErrors("", "t.yaml:1:1: empty manifest: expected a mapping with at least name and command");
        assertErrors("# only a comment\n", "t.yaml:1:1: empty manifest: expected a mapping with at least name and command");
    }

    @Test
    void parse_multipleDocumentsRefused() {
        List<String> errs = errors(MIN + "---\n" + MIN);
        assertEquals(1, errs.size());
        assertEquals("t.yaml:3:1: YAML syntax error: expected a single document in the stream (started at 1:1), "
                + "but found another document", errs.get(0));
    }

    @Test
    void parse_duplicateKeyRefusedWithFirstLine() {
        assertErrors(MIN + "network: host\nnetwork: none\n",
                "t.yaml:4:1: network: duplicate key \"network\" (first given at line 3): expected each key once");
        assertErrors(MIN + "resources:\n  memory: 1G\n  pids: 5\n  memory: 2G\n",
                "t.yaml:6:3: resources.memory: duplicate key \"memory\" (first given at line 4): expected each key once");
    }

    @Test
    void parse_aliasesResolveButAliasBombsAreRefused() throws Exception {
        Manifest m = ok("name: a\ncommand: &cmd [/bin/echo, hi]\nfilesystem:\n  exec: [/bin/echo]\n");
        assertEquals(List.of("/bin/echo", "hi"), m.command());
        StringBuilder bomb = new StringBuilder("a: &a [x, x]\n");
        for (char c = 'b'; c <= 'k'; c++) {
            char p = (char) (c - 1);
            bomb.append(c).append(": &").append(c).append(" [*").append(p).append(", *").append(p)
                    .append(", *").append(p).append(", *").append(p).append(", *").append(p).append(", *").append(p)
                    .append(", *").append(p).append(", *").append(p).append("]\n");
        }
        List<String> errs = errors(bomb.toString());
        assertEquals(1, errs.size(), errs.toString());
        assertTrue(errs.get(0).startsWith("t.yaml:1:1: YAML error: ") && errs.get(0).contains("aliases"), errs.get(0));
    }

    @Test
    void parse_customTagIsAWrongType() {
        assertErrors("name: !secret a\ncommand: [x]\n", "t.yaml:1:7: name: expected the agent's name, got a value tagged !secret");
    }

    @Test
    void parse_tooLargeRefusedBeforeParsing() {
        String huge = MIN + "# " + "x".repeat(ManifestParser.MAX_CHARS) + "\n";
        assertErrors(huge, "t.yaml:1:1: manifest is larger than 1048576 characters");
    }

    // ------------------------------------------------------------------ unknown and missing keys

    @Test
    void parse_unknownKeySuggestsClosest() {
        assertErrors(MIN + "resources:\n  memroy: 1G\n",
                "t.yaml:4:3: resources.memroy: unknown key \"memroy\": did you mean \"memory\"?");
        assertErrors(MIN + "netwrk: host\n", "t.yaml:3:1: netwrk: unknown key \"netwrk\": did you mean \"network\"?");
        assertErrors(MIN + "restart: {policy: always, maxRetries: 3}\n",
                "t.yaml:3:27: restart.maxRetries: unknown key \"maxRetries\": did you mean \"max_retries\"?");
        assertErrors(MIN + "capabilities:\n  - tool: a\n    rat: 5/s\n",
                "t.yaml:5:5: capabilities[0].rat: unknown key \"rat\": did you mean \"rate\"?");
    }

    @Test
    void parse_unknownKeyWithoutNearMatchListsKnownKeys() {
        assertErrors(MIN + "filesystem:\n  delete: [/x]\n",
                "t.yaml:4:3: filesystem.delete: unknown key \"delete\": expected one of read, write, exec");
        assertErrors(MIN + "gpu: 1\n", "t.yaml:3:1: gpu: unknown key \"gpu\": expected one of name, command, env, workdir, "
                + "uid, resources, limits, filesystem, network, landlock, seccomp, restart, capabilities, approval_required");
    }

    @Test
    void parse_missingRequiredKeys() {
        assertErrors("uid: auto\n",
                "t.yaml:1:1: name: missing required key: expected the agent's name, such as name: researcher",
                "t.yaml:1:1: command: missing required key: expected the program and its arguments, "
                        + "such as command: [/usr/bin/python3, agent.py]");
    }

    @Test
    void parse_misspelledRequiredKeyIsOneError() {
        assertErrors("nmae: a\ncommand: [x]\n", "t.yaml:1:1: nmae: unknown key \"nmae\": did you mean \"name\"?");
        assertErrors(MIN + "capabilities:\n  - tol: x\n",
                "t.yaml:4:5: capabilities[0].tol: unknown key \"tol\": did you mean \"tool\"?");
        assertErrors(MIN + "restart: {polcy: always}\n",
                "t.yaml:3:11: restart.polcy: unknown key \"polcy\": did you mean \"policy\"?");
    }

    @Test
    void parse_nonStringKeyRefused() {
        assertErrors(MIN + "? [a, b]\n: c\n", "t.yaml:3:3: expected a plain key, got a list as a key");
    }

    // ------------------------------------------------------------------ wrong types and empty values

    @Test
    void parse_wrongTypesRefused() {
        assertErrors("""
                name: 42
                command: /bin/echo hi
                env: [A]
                resources: 1G
                filesystem:
                  read: /data
                capabilities: {tool: x}
                """,
                "t.yaml:1:7: name: expected the agent's name, got the integer 42 (put it in quotes to use it as text: \"42\")",
                "t.yaml:2:10: command: expected a list of strings such as [/usr/bin/python3, agent.py], got the string "
                        + "\"/bin/echo hi\" (a single string is not split into words)",
                "t.yaml:3:6: env: expected a mapping of variable names to values, got a list",
                "t.yaml:4:12: resources: expected a mapping of resource limits, got the string \"1G\"",
                "t.yaml:6:9: filesystem.read: expected a list of absolute paths such as [/data, /srv/models/**], "
                        + "got the string \"/data\"",
                "t.yaml:7:15: capabilities: expected a list of grants such as [{tool: web_search}, "
                        + "{net: api.example.com:443}], got a mapping");
    }

    @Test
    void parse_numbersInCommandMustBeQuoted() {
        assertErrors("name: a\ncommand: [sleep, 10]\n",
                "t.yaml:2:18: command[1]: expected a string, got the integer 10 (put it in quotes to use it as text: \"10\")");
    }

    @Test
    void parse_emptyValuesAreErrorsNotDefaults() {
        // `memory:` with the value forgotten must not mean "no limit".
        assertErrors(MIN + "resources:\n  memory:\nfilesystem:\n",
                "t.yaml:4:10: resources.memory: expected a memory size such as 512M, 1.5G or max, got an empty value",
                "t.yaml:5:12: filesystem: expected a mapping with read, write and exec lists, got an empty value");
    }

    @Test
    void parse_booleansAreNotEnumValues() {
        assertErrors(MIN + "landlock: false\n", "t.yaml:3:11: landlock: expected \"hard\" or \"best_effort\", got the boolean false");
    }

    // ------------------------------------------------------------------ name, command, env, workdir, uid

    @Test
    void parse_nameSyntax() throws Exception {
        assertEquals("a.b_c-d9", ok("name: a.b_c-d9\ncommand: [x]\n").name());
        assertEquals("0" + "a".repeat(62), ok("name: 0" + "a".repeat(62) + "\ncommand: [x]\n").name());
        for (String bad : List.of("-a", "A", "a b", "\"\"", "a/b", "0" + "a".repeat(63), "é")) {
            List<String> errs = errors("name: " + bad + "\ncommand: [x]\n");
            assertEquals(1, errs.size(), bad);
            assertTrue(errs.get(0).startsWith("t.yaml:1:7: name: invalid name "), errs.get(0));
        }
    }

    @Test
    void parse_commandProgramMustBeAbsoluteOrBare() throws Exception {
        assertEquals("python3", ok("name: a\ncommand: [python3, x.py]\n").command().get(0));
        assertEquals("/usr/bin/env", ok("name: a\ncommand: [/usr/bin/env]\n").command().get(0));
        assertErrors("name: a\ncommand: [./run.sh]\n",
                "t.yaml:2:11: command[0]: invalid program \"./run.sh\": expected an absolute path or a bare program name "
                        + "(looked up in PATH); relative paths depend on the working directory");
        assertErrors("name: a\ncommand: []\n", "t.yaml:2:10: command: expected at least one element: the program to run");
        assertErrors("name: a\ncommand: ['']\n",
                "t.yaml:2:11: command[0]: empty program: expected an absolute path or a bare program name (looked up in PATH)");
    }

    @Test
    void parse_nulCharactersRefused() {
        assertErrors("name: a\ncommand: [/bin/echo, \"a\\0b\"]\n",
                "t.yaml:2:22: command[1]: invalid argument \"a\\u0000b\": contains a NUL character");
    }

    @Test
    void parse_envValuesConvertedToStrings() throws Exception {
        Manifest m = ok(MIN + "env:\n  N: 007\n  F: 2.50\n  B: false\n  S: 'quoted'\n  E: \"\"\n  Y: yes\n");
        assertEquals(Map.of("N", "007", "F", "2.50", "B", "false", "S", "quoted", "E", "", "Y", "yes"), m.env());
    }

    @Test
    void parse_envNamesAndValuesValidated() {
        assertErrors(MIN + "env:\n  1ST: a\n  OK-NAME: b\n  EMPTY:\n  LIST: [a]\n",
                "t.yaml:4:3: env.1ST: invalid environment variable name \"1ST\": expected letters, digits and '_', "
                        + "not starting with a digit",
                "t.yaml:5:3: env.OK-NAME: invalid environment variable name \"OK-NAME\": expected letters, digits and '_', "
                        + "not starting with a digit",
                "t.yaml:6:9: env.EMPTY: expected a value, got an empty value (write EMPTY: \"\" for an empty string)",
                "t.yaml:7:9: env.LIST: expected a string, number or boolean, got a list");
    }

    @Test
    void parse_workdirMustBeAbsolute() throws Exception {
        assertEquals(Path.of("/home/agent"), ok(MIN + "workdir: /home/./agent/\n").workdir());
        assertErrors(MIN + "workdir: work\n", "t.yaml:3:10: workdir: invalid path \"work\": relative paths are not allowed; "
                + "expected an absolute path such as /workspace");
        assertErrors(MIN + "workdir: /a/../b\n", "t.yaml:3:10: workdir: invalid path \"/a/../b\": \"..\" components are not "
                + "allowed; expected an absolute path such as /workspace");
    }

    @Test
    void parse_uidZeroRefused() {
        assertErrors(MIN + "uid: 0\n", "t.yaml:3:6: uid: uid 0 is root, and agents never run as root: "
                + "expected \"auto\" or a uid from 1 to 2147483646");
    }

    @Test
    void parse_uidForms() throws Exception {
        assertSame(Uid.AUTO, ok(MIN + "uid: auto\n").uid());
        assertEquals(Uid.of(1), ok(MIN + "uid: 1\n").uid());
        assertEquals(Uid.of(2147483646), ok(MIN + "uid: 2147483646\n").uid());
        assertEquals(Uid.of(4096), ok(MIN + "uid: 0x1000\n").uid());
        String range = "expected \"auto\" or a uid from 1 to 2147483646";
        assertErrors(MIN + "uid: 2147483647\n", "t.yaml:3:6: uid: uid 2147483647 is out of range: " + range);
        assertErrors(MIN + "uid: -5\n", "t.yaml:3:6: uid: uid -5 is out of range: " + range);
        assertErrors(MIN + "uid: 99999999999999999999\n", "t.yaml:3:6: uid: uid 99999999999999999999 is out of range: " + range);
        assertErrors(MIN + "uid: root\n", "t.yaml:3:6: uid: " + range + ", got the string \"root\"");
        assertErrors(MIN + "uid: \"1000\"\n", "t.yaml:3:6: uid: " + range + ", got the string \"1000\"");
        assertThrows(IllegalArgumentException.class, () -> Uid.of(0));
    }

    // ------------------------------------------------------------------ resources

    @Test
    void parse_resourcesUseCgroupLimitSyntax() throws Exception {
        CgroupLimits c = ok(MIN + "resources: {memory: max, swap: 0, cpus: max, pids: 64, memory_high: 512m}\n")
                .resources().cgroup();
        assertEquals(OptionalLong.of(CgroupLimits.MAX), c.memoryMax());
        assertEquals(OptionalLong.of(0), c.swapMax());
        assertTrue(c.cpuMax().orElseThrow().isUnlimited());
        assertEquals(OptionalLong.of(64), c.pidsMax());
        assertEquals(OptionalLong.of(512L << 20), c.memoryHigh());
        assertEquals(Optional.of(CpuQuota.ofQuota(200_000)), ok(MIN + "resources: {cpus: 2}\n").resources().cgroup().cpuMax());
        assertEquals(OptionalLong.of(1_048_576), ok(MIN + "resources: {memory: 1048576}\n").resources().cgroup().memoryMax());
    }

    @Test
    void parse_resourceParseErrorsAreWrappedWithLocation() {
        // The wording after the quoted value is the cgroups module's; only the prefix is ours.
        List<String> errs = errors(MIN + "resources:\n  cpus: 0.001\n  pids: many\n  swap: 1.5\n  memory: 1G\n");
        assertEquals(3, errs.size(), errs.toString());
        assertTrue(errs.get(0).startsWith("t.yaml:4:9: resources.cpus: invalid CPU count \"0.001\": "), errs.get(0));
        assertTrue(errs.get(1).startsWith("t.yaml:5:9: resources.pids: invalid pids limit \"many\": "), errs.get(1));
        assertTrue(errs.get(2).startsWith("t.yaml:6:9: resources.swap: invalid memory size \"1.5\": "), errs.get(2));
    }

    @Test
    void parse_resourceCombinationsChecked() {
        assertErrors(MIN + "resources:\n  swap: 1G\n",
                "t.yaml:4:9: resources.swap: swap needs memory to be set too (cgroup v1 limits memory and swap as one total)");
        assertErrors(MIN + "resources:\n  memory: 1G\n  memory_high: 2G\n",
                "t.yaml:5:16: resources.memory_high: memory_high (2G) is above memory (1G), so it would never take effect: "
                        + "expected a value at most memory");
    }

    @Test
    void parse_tmpSizeMustBeBounded() throws Exception {
        assertEquals(1L << 30, ok(MIN + "resources: {tmp_size: 1G}\n").resources().tmpSizeBytes());
        assertErrors(MIN + "resources:\n  tmp_size: max\n", "t.yaml:4:13: resources.tmp_size: /tmp needs a bounded size: "
                + "expected a memory size above zero such as 64M, not \"max\"");
        assertErrors(MIN + "resources:\n  tmp_size: 0\n", "t.yaml:4:13: resources.tmp_size: /tmp needs a bounded size: "
                + "expected a memory size above zero such as 64M, not \"0\"");
    }

    @Test
    void parse_weightsMustBeInRange() throws Exception {
        assertEquals(10000, ok(MIN + "resources: {cpu_weight: 10000, io_weight: 1}\n").resources().cgroup().cpuWeight().getAsInt());
        assertErrors(MIN + "resources:\n  cpu_weight: 0\n  io_weight: 10001\n  cpu_weight: x\n",
                "t.yaml:4:15: resources.cpu_weight: expected an integer from 1 to 10000, got 0",
                "t.yaml:5:14: resources.io_weight: expected an integer from 1 to 10000, got 10001",
                "t.yaml:6:3: resources.cpu_weight: duplicate key \"cpu_weight\" (first given at line 4): expected each key once");
        assertErrors(MIN + "resources:\n  io_weight: \"100\"\n",
                "t.yaml:4:14: resources.io_weight: expected an integer from 1 to 10000, got the string \"100\"");
    }

    // ------------------------------------------------------------------ filesystem

    @Test
    void parse_subtreeAndExactPathGrants() throws Exception {
        FilesystemGrants fs = ok(MIN + "filesystem:\n  read: [/**, /, /data/, /a//b/./c/**]\n").filesystem();
        assertEquals(List.of(new PathGrant(Path.of("/"), true), new PathGrant(Path.of("/"), false),
                new PathGrant(Path.of("/data"), false), new PathGrant(Path.of("/a/b/c"), true)), fs.read());
        assertEquals(List.of("/**", "/", "/data", "/a/b/c/**"), fs.read().stream().map(PathGrant::toString).toList());
    }

    @Test
    void parse_relativeFilesystemPathRefused() {
        assertErrors(MIN + "filesystem:\n  read: [relative/path]\n",
                "t.yaml:4:10: filesystem.read[0]: invalid path \"relative/path\": relative paths are not allowed; allowed: "
                        + "an absolute path (exactly that file or directory) or an absolute path ending in /** (the whole subtree)");
        assertErrors(MIN + "filesystem:\n  write: [~/notes]\n",
                "t.yaml:4:11: filesystem.write[0]: invalid path \"~/notes\": relative paths are not allowed (~ is not "
                        + "expanded); allowed: an absolute path (exactly that file or directory) or an absolute path ending "
                        + "in /** (the whole subtree)");
    }

    @Test
    void parse_dotDotComponentRefused() {
        assertErrors(MIN + "filesystem:\n  exec: [/usr/bin/../../etc/**]\n",
                "t.yaml:4:10: filesystem.exec[0]: invalid path \"/usr/bin/../../etc/**\": \"..\" components are not "
                        + "allowed; write the absolute path it leads to");
    }

    @Test
    void parse_globsOtherThanTrailingSubtreeRefused() {
        String allowed = "allowed: an absolute path (exactly that file or directory) or an absolute path ending in /** "
                + "(the whole subtree)";
        for (String glob : List.of("/data/*", "/data/*.csv", "/data/**/x", "/data**", "/a/?", "/a/[ab]", "/a/{b,c}")) {
            assertEquals(List.of("t.yaml:4:10: filesystem.read[0]: invalid path \"" + glob + "\": globs are not supported, "
                    + "except a trailing /**; " + allowed), errors(MIN + "filesystem:\n  read: ['" + glob + "']\n"), glob);
        }
    }

    @Test
    void parse_emptyPathRefused() {
        assertErrors(MIN + "filesystem:\n  read: [/ok, '']\n",
                "t.yaml:4:15: filesystem.read[1]: empty path: allowed: an absolute path (exactly that file or directory) "
                        + "or an absolute path ending in /** (the whole subtree)");
    }

    @Test
    void parse_everyBadPathInAListIsReported() {
        List<String> errs = errors(MIN + "filesystem:\n  read:\n    - rel\n    - /ok\n    - /x/../y\n    - 5\n");
        assertEquals(3, errs.size(), errs.toString());
        assertTrue(errs.get(0).startsWith("t.yaml:5:7: filesystem.read[0]:"));
        assertTrue(errs.get(1).startsWith("t.yaml:7:7: filesystem.read[2]:"));
        assertEquals("t.yaml:8:7: filesystem.read[3]: expected an absolute path, got the integer 5", errs.get(2));
    }

    // ------------------------------------------------------------------ network, landlock, seccomp

    @Test
    void parse_enumValuesSuggestClosest() throws Exception {
        assertEquals(NetworkMode.HOST, ok(MIN + "network: host\n").network());
        assertEquals(LandlockMode.BEST_EFFORT, ok(MIN + "landlock: best_effort\n").landlock());
        assertErrors(MIN + "network: hots\n", "t.yaml:3:10: network: invalid network \"hots\": expected \"none\" or \"host\"; "
                + "did you mean \"host\"?");
        assertErrors(MIN + "landlock: best-effort\n", "t.yaml:3:11: landlock: invalid landlock \"best-effort\": expected "
                + "\"hard\" or \"best_effort\"; did you mean \"best_effort\"?");
        assertErrors(MIN + "network: Host\n", "t.yaml:3:10: network: invalid network \"Host\": expected \"none\" or \"host\"; "
                + "did you mean \"host\"?");
    }

    @Test
    void parse_seccompForms(@TempDir Path dir) throws Exception {
        assertSame(SeccompChoice.DEFAULT, ok(MIN + "seccomp: default\n").seccomp());
        assertEquals(SeccompChoice.profile(Path.of("/etc/agentd/strict.json")),
                ok(MIN + "seccomp: /etc/agentd/seccomp/../strict.json\n").seccomp());
        // Text with an absolute file name resolves against that file's directory.
        assertEquals(SeccompChoice.profile(Path.of("/etc/agentd/profiles/p.json")),
                ManifestParser.parse(MIN + "seccomp: ../profiles/p.json\n", "/etc/agentd/agents/r.yaml").seccomp());
        // A file on disk resolves against its own directory.
        Path file = dir.resolve("agent.yaml");
        Files.writeString(file, MIN + "seccomp: sec/p.json\n");
        assertEquals(SeccompChoice.profile(dir.resolve("sec/p.json")), ManifestParser.parse(file).seccomp());
    }

    @Test
    void parse_relativeSeccompWithoutManifestFileRefused() {
        assertErrors(MIN + "seccomp: p.json\n", "t.yaml:3:10: seccomp: relative profile path \"p.json\" needs a manifest "
                + "file to resolve against: expected \"default\" or an absolute path");
        assertErrors(MIN + "seccomp: defualt\n", "t.yaml:3:10: seccomp: relative profile path \"defualt\" needs a manifest "
                + "file to resolve against: expected \"default\" or an absolute path; did you mean \"default\"?");
        assertErrors(MIN + "seccomp: ''\n", "t.yaml:3:10: seccomp: empty value: expected \"default\" or the path of an OCI "
                + "seccomp profile (JSON)");
    }

    // ------------------------------------------------------------------ restart

    @Test
    void parse_restartScalarForm() throws Exception {
        assertEquals(new RestartPolicy(RestartPolicy.Policy.ON_FAILURE, 5, Duration.ofSeconds(1)),
                ok(MIN + "restart: on-failure\n").restart());
        assertEquals(RestartPolicy.Policy.ALWAYS, ok(MIN + "restart: always\n").restart().policy());
        assertErrors(MIN + "restart: on_failure\n", "t.yaml:3:10: restart: invalid restart \"on_failure\": expected "
                + "\"never\", \"on-failure\" or \"always\"; did you mean \"on-failure\"?");
        assertErrors(MIN + "restart: 3\n", "t.yaml:3:10: restart: expected one of never, on-failure, always, or a mapping "
                + "with policy, max_retries and backoff, got the integer 3");
    }

    @Test
    void parse_restartMapForm() throws Exception {
        assertEquals(new RestartPolicy(RestartPolicy.Policy.ALWAYS, 3, Duration.ofMillis(500)),
                ok(MIN + "restart:\n  policy: always\n  max_retries: 3\n  backoff: 500ms\n").restart());
        assertEquals(new RestartPolicy(RestartPolicy.Policy.ON_FAILURE, 5, Duration.ofSeconds(1)),
                ok(MIN + "restart: {policy: on-failure}\n").restart());
        assertEquals(Duration.ofMinutes(2), ok(MIN + "restart: {policy: always, backoff: 2m}\n").restart().backoff());
    }

    @Test
    void parse_restartMapErrors() {
        assertErrors(MIN + "restart:\n  max_retries: -1\n  backoff: 5\n",
                "t.yaml:4:3: restart.policy: missing required key: expected one of never, on-failure, always",
                "t.yaml:4:16: restart.max_retries: expected a non-negative integer, got -1",
                "t.yaml:5:12: restart.backoff: expected a duration such as 500ms, 1s, 2m, 24h or 1h30m, got the integer 5 "
                        + "(a bare number has no unit: write 5s for seconds)");
        assertErrors(MIN + "restart: {policy: always, backoff: 0s}\n",
                "t.yaml:3:36: restart.backoff: invalid duration \"0s\": must be longer than zero");
        assertErrors(MIN + "restart: {policy: always, backoff: 1 second}\n",
                "t.yaml:3:36: restart.backoff: invalid duration \"1 second\": expected a duration such as 500ms, 1s, 2m, "
                        + "24h or 1h30m");
    }

    @Test
    void syntax_durations() {
        assertEquals(Duration.ofMillis(500), Syntax.duration("500ms"));
        assertEquals(Duration.ofSeconds(1), Syntax.duration("1s"));
        assertEquals(Duration.ofMinutes(2), Syntax.duration("2m"));
        assertEquals(Duration.ofHours(24), Syntax.duration("24h"));
        assertEquals(Duration.ofDays(7), Syntax.duration("7d"));
        assertEquals(Duration.ofMinutes(90), Syntax.duration("1h30m"));
        for (String bad : List.of("", "5", "1.5s", "-1s", "1 s", "1S", "s", "1h 30m", "99999999999999999999d")) {
            assertThrows(IllegalArgumentException.class, () -> Syntax.duration(bad), bad);
        }
    }

    // ------------------------------------------------------------------ capabilities and approvals

    @Test
    void parse_capabilitiesWithConstraints() throws Exception {
        List<Grant> caps = ok(MIN + """
                capabilities:
                  - tool: web_search
                    max_invocations: 10
                    rate: 100/h
                    expires: 2026-12-01T00:00:00Z
                  - {net: example.com, expires: 1h30m}
                  - net: 10.0.0.1:8080
                  - file_read: /data/**
                  - secret: db_password
                    expires: 2026-12-01T01:00:00+01:00
                """).capabilities();
        assertEquals(5, caps.size());
        GrantConstraints c = caps.get(0).constraints();
        assertEquals(OptionalLong.of(10), c.maxInvocations());
        assertEquals(new Rate(100, Duration.ofHours(1)), c.rate().orElseThrow());
        assertEquals("100/h", c.rate().orElseThrow().toString());
        assertEquals(new Expiry.At(Instant.parse("2026-12-01T00:00:00Z")), c.expires().orElseThrow());
        Expiry after = caps.get(1).constraints().expires().orElseThrow();
        assertEquals(new Expiry.After(Duration.ofMinutes(90)), after);
        assertEquals(Instant.parse("2026-01-01T01:30:00Z"), after.deadline(Instant.parse("2026-01-01T00:00:00Z")));
        assertEquals(Grant.of(GrantKind.NET, "10.0.0.1:8080"), caps.get(2));
        assertTrue(caps.get(2).constraints().isEmpty());
        assertEquals(Grant.of(GrantKind.FILE_READ, "/data/**"), caps.get(3));
        assertEquals(new Expiry.At(Instant.parse("2026-12-01T00:00:00Z")), caps.get(4).constraints().expires().orElseThrow());
    }

    @Test
    void parse_capabilityConstraintErrors() {
        assertErrors(MIN + """
                capabilities:
                  - tool: a
                    max_invocations: 0
                    rate: 10/d
                    expires: tomorrow
                  - tool: b
                    rate: 0/s
                    max_invocations: "5"
                    expires: 0h
                """,
                "t.yaml:5:22: capabilities[0].max_invocations: expected a positive integer, got 0",
                "t.yaml:6:11: capabilities[0].rate: invalid rate \"10/d\": expected N/s, N/m or N/h with N a positive "
                        + "whole number, such as 10/m",
                "t.yaml:7:14: capabilities[0].expires: invalid expiry \"tomorrow\": expected an ISO-8601 instant such as "
                        + "2026-12-01T00:00:00Z or a duration such as 24h",
                "t.yaml:9:11: capabilities[1].rate: invalid rate \"0/s\": expected N/s, N/m or N/h with N a positive "
                        + "whole number, such as 10/m",
                "t.yaml:10:22: capabilities[1].max_invocations: expected a positive integer, got the string \"5\"",
                "t.yaml:11:14: capabilities[1].expires: invalid expiry \"0h\": must be longer than zero");
    }

    @Test
    void parse_grantNeedsExactlyOneKind() {
        assertErrors(MIN + "capabilities:\n  - tool: a\n    net: b\n  - {rate: 5/s}\n  - web_search\n",
                "t.yaml:5:5: capabilities[0].net: one grant per entry: this entry already grants tool (line 4); "
                        + "expected net in a separate list entry",
                "t.yaml:6:5: capabilities[1]: missing grant: expected exactly one of tool, file_read, file_write, net, "
                        + "spawn, secret, llm",
                "t.yaml:7:5: capabilities[2]: expected a grant mapping such as {tool: web_search} or "
                        + "{net: api.example.com:443, rate: 10/m}, got the string \"web_search\"");
    }

    @Test
    void parse_grantValuesValidated() {
        assertErrors(MIN + """
                capabilities:
                  - tool: web search
                  - file_read: data/**
                  - file_write: /out/*.md
                  - llm: ''
                  - spawn: 5
                """,
                "t.yaml:4:11: capabilities[0].tool: invalid tool name \"web search\": expected a non-empty name without "
                        + "spaces or control characters",
                "t.yaml:5:16: capabilities[1].file_read: invalid path \"data/**\": relative paths are not allowed; allowed: "
                        + "an absolute path (exactly that file or directory) or an absolute path ending in /** (the whole subtree)",
                "t.yaml:6:17: capabilities[2].file_write: invalid path \"/out/*.md\": globs are not supported, except a "
                        + "trailing /**; allowed: an absolute path (exactly that file or directory) or an absolute path ending "
                        + "in /** (the whole subtree)",
                "t.yaml:7:10: capabilities[3].llm: invalid model name \"\": expected a non-empty name without spaces or "
                        + "control characters",
                "t.yaml:8:12: capabilities[4].spawn: expected an agent or program name, got the integer 5");
    }

    @Test
    void syntax_netGrantHostAndPort() {
        for (String good : List.of("example.com", "api.example.com:443", "localhost:1", "10.0.0.1", "10.0.0.1:65535",
                "[::1]", "[2001:db8::1]:443", "xn--bcher-kva.example")) {
            assertEquals(good, Syntax.hostPort(good));
        }
        for (String bad : List.of("", "example.com:", "example.com:0", "example.com:65536", "example.com:http",
                "2001:db8::1", "[2001:db8::1", "[nothex]:80", "-bad.example", "a..b", "http://example.com",
                "exa mple.com", "example.com/path", "*.example.com")) {
            assertThrows(IllegalArgumentException.class, () -> Syntax.hostPort(bad), bad);
        }
        assertErrors(MIN + "capabilities:\n  - net: 'fe80::1'\n", "t.yaml:4:10: capabilities[0].net: invalid network "
                + "address \"fe80::1\": an IPv6 address needs brackets, such as [2001:db8::1]:443");
    }

    @Test
    void parse_approvalRequiredToolNamesAndGrants() throws Exception {
        List<Grant> approvals = ok(MIN + "approval_required: [send_email, {tool: delete_repo, max_invocations: 1}, "
                + "{file_write: /etc/**}]\n").approvalRequired();
        assertEquals(List.of(Grant.of(GrantKind.TOOL, "send_email"),
                new Grant(GrantKind.TOOL, "delete_repo", new GrantConstraints(OptionalLong.of(1), Optional.empty(),
                        Optional.empty())),
                Grant.of(GrantKind.FILE_WRITE, "/etc/**")), approvals);
        assertErrors(MIN + "approval_required: [ok, 'not ok', [x]]\n",
                "t.yaml:3:25: approval_required[1]: invalid tool name \"not ok\": expected a non-empty name without "
                        + "spaces or control characters",
                "t.yaml:3:35: approval_required[2]: expected a tool name or a grant mapping such as {tool: web_search} or "
                        + "{net: api.example.com:443, rate: 10/m}, got a list");
    }

    // ------------------------------------------------------------------ files

    @Test
    void parse_fileErrorsNameTheFileAsGiven(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("researcher.yaml");
        Files.writeString(file, "name: researcher\ncommand: [/bin/true]\nresources:\n  memory: 12Q\n");
        ManifestException e = assertThrows(ManifestException.class, () -> ManifestParser.parse(file));
        assertEquals(file + ":4:11: resources.memory: invalid memory size \"12Q\": expected a number with optional K, M, "
                + "G or T suffix, or \"max\"", e.getMessage());
    }

    @Test
    void parse_fileThatIsNotUtf8Refused(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("bad.yaml");
        Files.write(file, "name: caf\u00e9\ncommand: [x]\n".getBytes(StandardCharsets.ISO_8859_1));
        ManifestException e = assertThrows(ManifestException.class, () -> ManifestParser.parse(file));
        assertEquals(file + ":1:1: not valid UTF-8 text: expected a UTF-8 YAML document", e.getMessage());
    }

    // ------------------------------------------------------------------ suggestions

    @Test
    void suggest_transpositionsAndSeparatorsAreCheap() {
        assertEquals(1, Suggest.distance("memroy", "memory"));
        assertEquals(3, Suggest.distance("abc", "xyz"));
        assertEquals(Optional.of("max_retries"), Suggest.closest("MaxRetries", List.of("policy", "max_retries")));
        assertEquals(Optional.of("cpus"), Suggest.closest("cpu", List.of("cpus", "cpu_weight")));
        assertEquals(Optional.empty(), Suggest.closest("gpu_count", List.of("memory", "cpus")));
    }
}
