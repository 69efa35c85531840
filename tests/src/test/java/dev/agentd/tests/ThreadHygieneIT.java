package dev.agentd.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.agentd.tests.support.AgentdHarness;
import dev.agentd.tests.support.CgroupDirs;
import dev.agentd.tests.support.Kernel;
import dev.agentd.tests.support.Manifests;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * agentd restricts a fresh thread per spawn (kernel-facts.md, "Why a JVM
 * cannot simply fork"). After 1,000 sequential spawns through the admin
 * socket every other thread of agentd — this JVM — must still be root with
 * full capabilities, no no_new_privs, no seccomp filter, the host's
 * namespaces and cgroups, and able to read host files (no Landlock domain);
 * and the spawn threads must be gone.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 420, unit = TimeUnit.SECONDS)
class ThreadHygieneIT {
    static final int SPAWNS = 1000;
    static final List<String> FIELDS = List.of("Uid", "Gid", "Groups", "CapInh", "CapPrm", "CapEff", "CapBnd", "CapAmb",
            "NoNewPrivs", "Seccomp", "Seccomp_filters");
    static final List<String> NAMESPACES = List.of("mnt", "pid", "pid_for_children", "net", "ipc", "uts", "cgroup", "user");

    AgentdHarness agentd;
    Map<String, String> before;
    Map<String, String> nsBefore;
    String cgroupBefore;
    int tasksBaseline;
    final List<String> failures = new ArrayList<>();
    double rate;

    @BeforeAll
    @Timeout(value = 400, unit = TimeUnit.SECONDS)
    void spawnAThousand() throws Exception {
        Kernel.requireAgentd();
        before = status(Path.of("/proc/thread-self"));
        nsBefore = namespaces(Path.of("/proc/thread-self"));
        cgroupBefore = Files.readString(Path.of("/proc/thread-self/cgroup"));
        agentd = AgentdHarness.start();
        // One spawn first, so every lazily started thread of agentd exists in the baseline.
        agentd.run(Manifests.of(Manifests.name("warm-up"), "", List.of("/bin/true")));
        tasksBaseline = tasks().size();
        String manifest = Manifests.of("hygiene", "", List.of("/bin/true"));
        long t0 = System.nanoTime();
        for (int i = 0; i < SPAWNS; i++) {
            JsonNode rec = agentd.await(agentd.spawnId(manifest), 30);
            if (!"exited".equals(rec.path("state").asText()) || rec.path("exit_code").asInt(-1) != 0) {
                failures.add("spawn " + i + ": " + rec);
            }
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        rate = SPAWNS / seconds;
        System.out.printf("ThreadHygieneIT: %d sequential spawn+wait of /bin/true in %.1f s: %.1f spawns/s%n", SPAWNS,
                seconds, rate);
    }

    @AfterAll
    void stop() {
        if (agentd != null) {
            agentd.close();
        }
    }

    @Test
    void every_spawn_ran_and_exited_zero() {
        assertEquals(List.of(), failures);
    }

    @Test
    void every_thread_keeps_root_full_capabilities_and_no_filters() throws Exception {
        assertEquals("0", before.get("NoNewPrivs"), "the test JVM starts without no_new_privs");
        assertEquals("0", before.get("Seccomp"), "the test JVM starts without seccomp");
        Map<String, String> bad = new TreeMap<>();
        int checked = 0;
        for (Path task : tasks()) {
            Map<String, String> s;
            Map<String, String> ns;
            String cg;
            try {
                s = status(task);
                ns = namespaces(task);
                cg = Files.readString(task.resolve("cgroup"));
            } catch (NoSuchFileException e) {
                continue; // the thread ended while we looked
            }
            checked++;
            String name = s.get("Name") + " (tid " + task.getFileName() + ")";
            for (String f : FIELDS) {
                if (before.containsKey(f) && !before.get(f).equals(s.get(f))) {
                    bad.merge(name, f + "=" + s.get(f) + " (was " + before.get(f) + ")", (a, b) -> a + ", " + b);
                }
            }
            assertEquals("0\t0\t0\t0", s.get("Uid"), name);
            if (!nsBefore.equals(ns)) {
                bad.merge(name, "namespaces " + ns + " (were " + nsBefore + ")", (a, b) -> a + ", " + b);
            }
            if (!cgroupBefore.equals(cg)) {
                bad.merge(name, "cgroups " + cg + " (were " + cgroupBefore + ")", (a, b) -> a + ", " + b);
            }
        }
        assertTrue(checked >= 10, "looked at " + checked + " threads only");
        assertEquals(Map.of(), bad, "threads of agentd that changed");
    }

    /** There is no /proc field for Landlock: a thread with a domain would fail to read host files outside agents' views. */
    @Test
    void no_thread_is_landlocked() throws Exception {
        Path hostOnly = Path.of("/etc/passwd");
        assertTrue(Files.readString(hostOnly).contains("root:"), "the test thread reads host files");
        AtomicReference<Object> fresh = new AtomicReference<>();
        Thread t = new Thread(() -> {
            try {
                fresh.set(Files.readString(hostOnly));
                try (Stream<Path> s = Files.list(agentd.root())) {
                    s.count();
                }
            } catch (IOException | RuntimeException e) {
                fresh.set(e);
            }
        });
        t.start();
        t.join(10_000);
        assertTrue(fresh.get() instanceof String str && str.contains("root:"), "a fresh thread reads host files: " + fresh.get());
        // agentd's own admin thread still reads host files too: a manifest on the host is read through agent.spawn's path.
        Path manifest = agentd.root().resolve("hygiene-check.yaml");
        Files.writeString(manifest, Manifests.of(Manifests.name("by-path"), "", List.of("/bin/true")));
        JsonNode rec = agentd.call("agent.spawn", Map.of("path", manifest.toString()));
        assertEquals(0, agentd.await(rec.get("id").asText()).path("exit_code").asInt(-1));
    }

    @Test
    void spawn_threads_are_gone() throws Exception {
        // A spawn thread ends right after the sandbox is up; give it a moment. (Exits are watched by
        // one reaper thread for all agents, not a thread per agent: IdleAgentsIT counts those.)
        List<String> names = new ArrayList<>();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        do {
            names.clear();
            Thread.getAllStackTraces().keySet().forEach(t -> {
                if (t.getName().startsWith("agentd-spawn")) {
                    names.add(t.getName());
                }
            });
        } while (!names.isEmpty() && System.nanoTime() < deadline && pause());
        assertEquals(List.of(), names, "spawn threads left");
        int now = tasks().size();
        assertTrue(now <= tasksBaseline + 8, "threads: " + tasksBaseline + " before the spawns, " + now + " after");
    }

    @Test
    void no_agent_cgroup_is_left() {
        assertEquals(List.of(), new ArrayList<>(CgroupDirs.agentCgroups(agentd.cgroupParent())));
    }

    static boolean pause() {
        try {
            Thread.sleep(50);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return true;
    }

    static List<Path> tasks() throws IOException {
        try (Stream<Path> s = Files.list(Path.of("/proc/self/task"))) {
            return s.sorted().toList();
        }
    }

    static Map<String, String> status(Path task) throws IOException {
        Map<String, String> m = new LinkedHashMap<>();
        for (String l : Files.readAllLines(task.resolve("status"))) {
            int i = l.indexOf(':');
            if (i > 0) {
                m.put(l.substring(0, i), l.substring(i + 1).trim());
            }
        }
        return m;
    }

    static Map<String, String> namespaces(Path task) throws IOException {
        Map<String, String> m = new TreeMap<>();
        for (String n : NAMESPACES) {
            Path p = task.resolve("ns").resolve(n);
            if (Files.exists(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                m.put(n, Files.readSymbolicLink(p).toString());
            }
        }
        return m;
    }
}
