package dev.agentd.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.agentd.tests.support.AgentdHarness;
import dev.agentd.tests.support.CgroupDirs;
import dev.agentd.tests.support.Dirs;
import dev.agentd.tests.support.Kernel;
import dev.agentd.tests.support.Manifests;
import dev.agentd.tests.support.Prober;
import dev.agentd.tests.support.RpcException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Filesystem grants seen from inside real agents: what is granted works as
 * granted and no further, and nothing outside the grants can be reached —
 * not by symlinks, {@code ..}, {@code /proc/PID/root} or hard links.
 *
 * <p>Layout on the host (below the module's target/, not /tmp, which every
 * agent has privately):
 * <pre>
 * B/ro/{data, run.sh}        read grant (subtree)
 * B/rw/{run.sh, rootfile, links to outside}   write grant (0777)
 * B/ex/run.sh                exec grant
 * B/dironly/f                read grant of the directory itself (no /**)
 * B/outside/secret           no grant
 * </pre>
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class GrantsIT {
    static final Set<String> REFUSALS = Set.of("EACCES", "EPERM", "EROFS", "ENOENT", "EXDEV");
    static AgentdHarness agentd;
    static Path base;
    static String b;

    @BeforeAll
    static void setUp() throws Exception {
        Kernel.requireAgentd();
        base = Dirs.temp("grants-");
        b = base.toString();
        Path ro = dir("ro", "rwxr-xr-x");
        Files.writeString(ro.resolve("data"), "data\n");
        script(ro.resolve("run.sh"));
        Path rw = dir("rw", "rwxrwxrwx");
        script(rw.resolve("run.sh"));
        Files.writeString(rw.resolve("rootfile"), "root's\n");
        Path ex = dir("ex", "rwxr-xr-x");
        script(ex.resolve("run.sh"));
        Path only = dir("dironly", "rwxr-xr-x");
        Files.writeString(only.resolve("f"), "f\n");
        Path outside = dir("outside", "rwxr-xr-x");
        Files.writeString(outside.resolve("secret"), "secret\n");
        for (Path f : List.of(ro.resolve("data"), rw.resolve("rootfile"), only.resolve("f"), outside.resolve("secret"))) {
            Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-r--r--"));
        }
        // Links the host put into the writable grant, pointing out of it.
        Files.createSymbolicLink(rw.resolve("host-abs-link"), outside.resolve("secret"));
        Files.createSymbolicLink(rw.resolve("host-rel-link"), Path.of("../outside/secret"));
        Files.createSymbolicLink(rw.resolve("host-etc-link"), Path.of("/etc/shadow"));
        Files.createSymbolicLink(rw.resolve("host-dir-link"), outside);
        agentd = AgentdHarness.start();
    }

    @AfterAll
    static void tearDown() throws Exception {
        if (agentd != null) {
            agentd.close();
        }
        if (base != null) {
            Dirs.deleteRecursively(base);
        }
    }

    static Path dir(String name, String mode) throws Exception {
        Path d = Files.createDirectory(base.resolve(name));
        Files.setPosixFilePermissions(d, PosixFilePermissions.fromString(mode));
        return d;
    }

    static void script(Path p) throws Exception {
        Files.writeString(p, "#!/bin/sh\necho ran\n");
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    static String grants() {
        return "filesystem:\n"
                + "  read: [" + Manifests.quote(b + "/ro/**") + ", " + Manifests.quote(b + "/dironly") + "]\n"
                + "  write: [" + Manifests.quote(b + "/rw/**") + "]\n"
                + "  exec: [" + Manifests.quote(b + "/ex/**") + "]\n";
    }

    /** Runs the prober with the standard grants; returns its results by operation, and the agent's record. */
    static Map<String, JsonNode> probe(String... ops) throws Exception {
        String id = agentd.spawnId(Manifests.python(Manifests.name("grants"), grants(), Prober.SCRIPT, Arrays.asList(ops)));
        JsonNode rec = agentd.await(id);
        List<String> log = agentd.logs(id);
        assertEquals(0, rec.path("exit_code").asInt(-1), "prober failed: " + rec + "\n" + String.join("\n", log));
        assertTrue(log.contains("prober done"), String.join("\n", log));
        Map<String, JsonNode> r = Prober.results(log);
        for (String op : ops) {
            assertNotNull(r.get(op), "no result for " + op + ":\n" + String.join("\n", log));
        }
        lastRecord = rec;
        return r;
    }

    static JsonNode lastRecord;

    static JsonNode ok(Map<String, JsonNode> r, String op) {
        JsonNode n = r.get(op);
        assertEquals("ok", n.path("result").asText(), op + " should be allowed: " + n);
        return n.get("value");
    }

    static void refused(Map<String, JsonNode> r, String op, String... errnos) {
        JsonNode n = r.get(op);
        Set<String> want = errnos.length == 0 ? REFUSALS : Set.of(errnos);
        assertTrue(want.contains(n.path("result").asText()), op + " should be refused with one of " + want + ": " + n);
    }

    @Test
    void read_grant_is_readable_but_not_writable() throws Exception {
        Map<String, JsonNode> r = probe("read " + b + "/ro/data", "write " + b + "/ro/data", "create " + b + "/ro/new",
                "list " + b + "/ro");
        assertEquals("data\n", ok(r, "read " + b + "/ro/data").asText());
        refused(r, "write " + b + "/ro/data", "EROFS", "EACCES", "EPERM");
        refused(r, "create " + b + "/ro/new", "EROFS", "EACCES", "EPERM");
        assertEquals(List.of("data", "run.sh"), strings(ok(r, "list " + b + "/ro")));
        assertEquals("data\n", Files.readString(base.resolve("ro/data")), "the host file is unchanged");
        assertFalse(Files.exists(base.resolve("ro/new")));
    }

    @Test
    void write_grant_is_writable() throws Exception {
        String f = b + "/rw/made-by-agent-" + System.nanoTime();
        Map<String, JsonNode> r = probe("create " + f, "write " + f, "read " + f);
        ok(r, "create " + f);
        ok(r, "write " + f);
        assertEquals("xx", ok(r, "read " + f).asText());
        Path host = Path.of(f);
        assertEquals("xx", Files.readString(host), "the write reached the host directory");
        assertEquals(lastRecord.get("uid").asInt(), (Integer) Files.getAttribute(host, "unix:uid"),
                "the file belongs to the agent's uid");
    }

    @Test
    void only_the_exec_grant_is_executable() throws Exception {
        Map<String, JsonNode> r = probe("exec " + b + "/ex/run.sh", "exec " + b + "/ro/run.sh", "exec " + b + "/rw/run.sh",
                "create " + b + "/ex/new", "read " + b + "/ex/run.sh");
        JsonNode ran = ok(r, "exec " + b + "/ex/run.sh");
        assertEquals(0, ran.get(0).asInt());
        assertEquals("ran", ran.get(1).asText());
        refused(r, "exec " + b + "/ro/run.sh", "EACCES");
        refused(r, "exec " + b + "/rw/run.sh", "EACCES");
        refused(r, "create " + b + "/ex/new", "EROFS", "EACCES", "EPERM");
        ok(r, "read " + b + "/ex/run.sh");
    }

    /** {@code /data} without {@code /**}: Landlock lets the agent list the directory, not read below it. */
    @Test
    void directory_grant_without_subtree_lists_but_does_not_read() throws Exception {
        Map<String, JsonNode> r = probe("list " + b + "/dironly", "read " + b + "/dironly/f");
        assertEquals(List.of("f"), strings(ok(r, "list " + b + "/dironly")));
        refused(r, "read " + b + "/dironly/f", "EACCES");
    }

    @Test
    void files_outside_every_grant_are_absent() throws Exception {
        Map<String, JsonNode> r = probe("read " + b + "/outside/secret", "exists " + b + "/outside", "list " + b,
                "read /etc/shadow", "exists " + agentd.root(), "list /");
        refused(r, "read " + b + "/outside/secret", "ENOENT");
        assertFalse(ok(r, "exists " + b + "/outside").asBoolean());
        assertFalse(ok(r, "exists " + agentd.root()).asBoolean(), "agentd's state is not in the view");
        refused(r, "read /etc/shadow", "ENOENT");
        JsonNode listing = r.get("list " + b);
        if ("ok".equals(listing.path("result").asText())) {
            assertEquals(List.of("dironly", "ex", "ro", "rw"), strings(listing.get("value")));
        } else {
            refused(r, "list " + b, "EACCES");
        }
        JsonNode root = r.get("list /");
        if ("ok".equals(root.path("result").asText())) {
            assertFalse(strings(root.get("value")).contains("root"), root.toString());
            assertFalse(strings(root.get("value")).contains("home"), root.toString());
        }
    }

    @Test
    void symlinks_do_not_escape() throws Exception {
        String agentLink = b + "/rw/agent-link-" + System.nanoTime();
        String toRo = b + "/rw/agent-to-ro-" + System.nanoTime();
        Map<String, JsonNode> r = probe(
                "read " + b + "/rw/host-abs-link",
                "read " + b + "/rw/host-rel-link",
                "read " + b + "/rw/host-etc-link",
                "list " + b + "/rw/host-dir-link",
                "symlink " + b + "/outside/secret " + agentLink,
                "read " + agentLink,
                "symlink " + b + "/ro/data " + toRo,
                "read " + toRo,
                "write " + toRo);
        refused(r, "read " + b + "/rw/host-abs-link", "ENOENT");
        refused(r, "read " + b + "/rw/host-rel-link", "ENOENT");
        refused(r, "read " + b + "/rw/host-etc-link", "ENOENT");
        refused(r, "list " + b + "/rw/host-dir-link", "ENOENT");
        ok(r, "symlink " + b + "/outside/secret " + agentLink);
        refused(r, "read " + agentLink, "ENOENT");
        // A link to a read-only grant reads like the target and writes like it: not at all.
        ok(r, "symlink " + b + "/ro/data " + toRo);
        assertEquals("data\n", ok(r, "read " + toRo).asText());
        refused(r, "write " + toRo, "EROFS", "EACCES", "EPERM");
        assertEquals("data\n", Files.readString(base.resolve("ro/data")));
        assertEquals("secret\n", Files.readString(base.resolve("outside/secret")));
    }

    @Test
    void dotdot_does_not_escape() throws Exception {
        String up = "/..".repeat(12);
        Map<String, JsonNode> r = probe(
                "read " + b + "/rw/../outside/secret",
                "read " + b + "/ro/../outside/secret",
                "read " + b + "/ro" + up + b + "/outside/secret",
                "read /workspace" + up + "/etc/shadow",
                "read /tmp/../etc/passwd",
                "create " + b + "/rw/../outside/new",
                "list " + b + "/rw/..");
        refused(r, "read " + b + "/rw/../outside/secret", "ENOENT");
        refused(r, "read " + b + "/ro/../outside/secret", "ENOENT");
        refused(r, "read " + b + "/ro" + up + b + "/outside/secret", "ENOENT");
        refused(r, "read /workspace" + up + "/etc/shadow", "ENOENT");
        refused(r, "read /tmp/../etc/passwd", "ENOENT");
        refused(r, "create " + b + "/rw/../outside/new", "ENOENT", "EACCES", "EROFS");
        JsonNode up1 = r.get("list " + b + "/rw/..");
        if ("ok".equals(up1.path("result").asText())) {
            assertFalse(strings(up1.get("value")).contains("outside"), up1.toString());
        }
        assertFalse(Files.exists(base.resolve("outside/new")));
    }

    @Test
    void proc_root_does_not_escape() throws Exception {
        Map<String, JsonNode> r = probe(
                "read /proc/self/root" + b + "/outside/secret",
                "read /proc/self/root/etc/shadow",
                "read /proc/self/root" + b + "/ro/data",
                "read /proc/1/root/etc/shadow",
                "list /proc/1/root/",
                "procroots " + b + "/outside/secret",
                "procroots /etc/shadow");
        refused(r, "read /proc/self/root" + b + "/outside/secret", "ENOENT");
        refused(r, "read /proc/self/root/etc/shadow", "ENOENT");
        // /proc/self/root is the agent's own root: the view, nothing more.
        assertEquals("data\n", ok(r, "read /proc/self/root" + b + "/ro/data").asText());
        refused(r, "read /proc/1/root/etc/shadow", "ENOENT", "EACCES");
        refused(r, "list /proc/1/root/", "ENOENT", "EACCES");
        for (String op : List.of("procroots " + b + "/outside/secret", "procroots /etc/shadow")) {
            JsonNode each = ok(r, op);
            assertTrue(each.size() >= 1, "the agent sees at least itself in /proc (its init is hidden): " + each);
            each.forEach(e -> assertTrue(REFUSALS.contains(e.get(1).asText()), op + ": " + each));
        }
    }

    @Test
    void hard_links_of_outside_files_are_refused() throws Exception {
        String own = b + "/rw/own-" + System.nanoTime();
        Map<String, JsonNode> r = probe(
                "link " + b + "/ro/data " + b + "/rw/hl-ro",
                "link /usr/bin/python3 " + b + "/rw/hl-usr",
                "link " + b + "/outside/secret " + b + "/rw/hl-outside",
                "link " + b + "/rw/rootfile " + b + "/rw/hl-rootfile",
                "create " + own,
                "link " + own + " /workspace/hl-own",
                "link /usr/bin/python3 /workspace/hl-usr");
        refused(r, "link " + b + "/ro/data " + b + "/rw/hl-ro", "EXDEV", "EACCES", "EPERM");
        refused(r, "link /usr/bin/python3 " + b + "/rw/hl-usr", "EXDEV", "EACCES", "EPERM");
        refused(r, "link " + b + "/outside/secret " + b + "/rw/hl-outside", "ENOENT");
        // Same mount, but a file of another user: protected_hardlinks and Landlock refuse.
        refused(r, "link " + b + "/rw/rootfile " + b + "/rw/hl-rootfile", "EPERM", "EACCES");
        ok(r, "create " + own);
        refused(r, "link " + own + " /workspace/hl-own", "EXDEV", "EACCES", "EPERM");
        refused(r, "link /usr/bin/python3 /workspace/hl-usr", "EXDEV", "EACCES", "EPERM");
        for (String n : List.of("hl-ro", "hl-usr", "hl-outside", "hl-rootfile")) {
            assertFalse(Files.exists(base.resolve("rw").resolve(n), LinkOption.NOFOLLOW_LINKS), n);
        }
    }

    /**
     * A grant of a path that does not exist: spawn refused (-32002) with a
     * message naming the path, the record kept as failed, no cgroup, no mount,
     * and the uid free for the next agent.
     */
    @Test
    void missing_grant_path_refuses_spawn_and_leaves_nothing_behind() throws Exception {
        String missing = b + "/does-not-exist";
        String yaml = Manifests.of(Manifests.name("missing-grant"),
                "filesystem:\n  read: [" + Manifests.quote(missing + "/**") + "]\n", List.of("/bin/true"));
        RpcException e = assertThrows(RpcException.class, () -> agentd.spawn(yaml));
        assertEquals(-32002, e.code(), e.toString());
        assertTrue(e.getMessage().contains(missing), "the message names the path: " + e.getMessage());
        String id = e.data().path("id").asText();
        assertFalse(id.isEmpty(), "data.id names the refused agent: " + e);
        JsonNode rec = agentd.status(id);
        assertEquals("failed", rec.path("state").asText(), rec.toString());
        assertTrue(rec.path("pid").isNull(), rec.toString());
        assertTrue(rec.path("error").asText("").contains(missing), rec.toString());
        assertEquals(List.of(), CgroupDirs.agent(agentd.cgroupParent(), id), "no cgroup of the refused agent");
        assertEquals(List.of(), Dirs.mountsBelow(agentd.agentDir(id)), "no mount left");
        agentd.audit().await("spawn.refused", id, Duration.ofSeconds(5));
        assertTrue(agentd.list(false).stream().noneMatch(a -> a.get("id").asText().equals(id)), "not listed as running");

        JsonNode next = agentd.run(Manifests.of(Manifests.name("after-refusal"), "", List.of("/bin/true")));
        assertEquals(0, next.path("exit_code").asInt(-1), next.toString());
        assertEquals(rec.get("uid").asInt(), next.get("uid").asInt(), "the refused agent's uid is free again");
    }

    /**
     * A spawn that fails inside the sandbox (after the spawning thread joined
     * the agent's cgroup) must leave no cgroup either. The workdir below is
     * inside a read-only grant and missing, so the spawn fails at its
     * "workdir" step.
     */
    @Test
    void spawn_failing_inside_the_sandbox_leaves_no_cgroup() throws Exception {
        List<String> leaked = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            String yaml = Manifests.of(Manifests.name("bad-workdir"),
                    grants() + "workdir: " + Manifests.quote(b + "/ro/missing-dir") + "\n", List.of("/bin/true"));
            RpcException e = assertThrows(RpcException.class, () -> agentd.spawn(yaml));
            assertEquals(-32002, e.code(), e.toString());
            String id = e.data().path("id").asText();
            assertEquals("failed", agentd.status(id).path("state").asText());
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
            while (!CgroupDirs.agent(agentd.cgroupParent(), id).isEmpty() && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            if (!CgroupDirs.agent(agentd.cgroupParent(), id).isEmpty()) {
                leaked.add("agent-" + id + " (" + e.data().path("step").asText() + ")");
            }
        }
        assertEquals(List.of(), leaked, "cgroups left behind by refused spawns");
    }

    static List<String> strings(JsonNode arr) {
        List<String> out = new ArrayList<>();
        arr.forEach(n -> out.add(n.asText()));
        return out;
    }
}
