package dev.agentd.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.agentd.manifest.Manifest;
import dev.agentd.manifest.ManifestParser;
import dev.agentd.spawner.BindMount;
import dev.agentd.spawner.PathAccess;
import dev.agentd.spawner.SandboxSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SandboxPlannerTest {
    @TempDir
    Path dir;

    private SandboxSpec plan(String yaml) throws Exception {
        Manifest m = ManifestParser.parse(yaml, "t.yaml");
        Path agentDir = Files.createDirectories(dir.resolve("agent"));
        Files.createDirectories(agentDir.resolve("root"));
        Files.createDirectories(agentDir.resolve("workspace"));
        return SandboxPlanner.plan(m, "abcd1234", 70001, agentDir, null, null, DaemonConfig.underRoot(dir));
    }

    private static Map<Path, PathAccess.Kind> access(SandboxSpec s) {
        return s.access().stream().collect(Collectors.toMap(PathAccess::path, PathAccess::kind, (a, b) -> b));
    }

    @Test
    void plan_grantsBecomeMountsAndLandlockRules() throws Exception {
        Path ro = Files.createDirectories(dir.resolve("data"));
        Path rw = Files.createDirectories(dir.resolve("out"));
        Path both = Files.createDirectories(dir.resolve("tools"));
        // A listing-only grant must lie outside /tmp (see plan_listingOnlyBelowTmpRefused).
        Path listOnly = Files.createTempDirectory(Files.createDirectories(Path.of("/var/tmp")), "agentd-plan-list");
        listOnly.toFile().deleteOnExit();
        SandboxSpec s = plan("name: a\ncommand: [/bin/true]\nfilesystem:\n"
                + "  read: [" + ro + "/**, " + listOnly + "]\n"
                + "  write: [" + rw + "/**, " + both + "/**]\n"
                + "  exec: [" + both + "/**]\n");
        Map<Path, PathAccess.Kind> a = access(s);
        assertEquals(PathAccess.Kind.READ, a.get(ro));
        assertEquals(PathAccess.Kind.WRITE, a.get(rw));
        assertEquals(PathAccess.Kind.WRITE_EXECUTE, a.get(both));
        assertEquals(PathAccess.Kind.LIST, a.get(listOnly), "a directory without /** gives its listing only");
        assertEquals(PathAccess.Kind.WRITE_EXECUTE, a.get(SandboxPlanner.WORKSPACE));
        assertEquals(PathAccess.Kind.EXECUTE, a.get(Path.of("/usr")));
        List<BindMount> mounts = s.mounts();
        assertTrue(mounts.contains(new BindMount(ro, ro, false)), mounts.toString());
        assertTrue(mounts.contains(new BindMount(rw, rw, true)));
        assertTrue(mounts.contains(new BindMount(dir.resolve("agent/workspace"), SandboxPlanner.WORKSPACE, true)));
    }

    @Test
    void plan_listingOnlyBelowTmpRefused() throws Exception {
        Path list = Files.createDirectories(Path.of("/tmp").resolve(dir.getFileName() + "-list"));
        try {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> plan("name: a\ncommand: [/bin/true]\nfilesystem:\n  read: [" + list + "]\n"));
            assertTrue(e.getMessage().contains("cannot be enforced below /tmp"), e.getMessage());
        } finally {
            Files.deleteIfExists(list);
        }
    }

    @Test
    void plan_identityAndDefaults() throws Exception {
        SandboxSpec s = plan("name: my_agent.v2\ncommand: [/bin/true]\n");
        assertEquals(70001, s.uid());
        assertEquals(70001, s.gid());
        assertEquals("my-agent-v2", s.hostname(), "a hostname is a DNS label");
        assertEquals(SandboxSpec.Network.NONE, s.network());
        assertEquals(SandboxSpec.LandlockMode.HARD, s.landlockMode());
        assertEquals(Path.of("/workspace"), s.workdir());
        assertEquals(0L, s.rlimits().get(SandboxSpec.Rlimit.CORE));
        assertEquals(64L << 20, s.tmpSizeBytes());
    }

    @Test
    void hostname_isADnsLabel() {
        assertEquals("web-agent", SandboxPlanner.hostname("web_agent."));
        assertEquals("a-b-c", SandboxPlanner.hostname("a.b_c"));
    }

    @Test
    void plan_bareCommandIsResolvedInThePath() throws Exception {
        SandboxSpec s = plan("name: a\ncommand: [sh, -c, exit]\n");
        assertTrue(s.command().get(0).endsWith("/sh") && s.command().get(0).startsWith("/"), s.command().toString());
    }

    @Test
    void plan_unknownProgramIsAnError() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> plan("name: a\ncommand: [no-such-program-here]\n"));
        assertTrue(e.getMessage().contains("program \"no-such-program-here\" not found"), e.getMessage());
    }

    @Test
    void plan_missingGrantPathIsAnError() {
        Path missing = dir.resolve("missing");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> plan("name: a\ncommand: [/bin/true]\nfilesystem:\n  read: [" + missing + "/**]\n"));
        assertEquals("filesystem grant " + missing + " does not exist on this host", e.getMessage());
    }

    @Test
    void plan_hostNetworkAndBestEffort() throws Exception {
        SandboxSpec s = plan("name: a\ncommand: [/bin/true]\nnetwork: host\nlandlock: best_effort\n");
        assertEquals(SandboxSpec.Network.HOST, s.network());
        assertEquals(SandboxSpec.LandlockMode.BEST_EFFORT, s.landlockMode());
    }
}
