package dev.agentd.daemon;

import dev.agentd.cgroups.Cgroup;
import dev.agentd.cgroups.CgroupException;
import dev.agentd.cgroups.CgroupManager;
import dev.agentd.cgroups.LimitMode;
import dev.agentd.manifest.Manifest;
import dev.agentd.manifest.RestartPolicy;
import dev.agentd.spawner.SandboxHandle;
import dev.agentd.spawner.SandboxSpec;
import dev.agentd.spawner.Spawner;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** {@code exec}: a command in a fresh sandbox derived from a running agent's. */
final class AgentExecs {
    private final DaemonConfig cfg;
    private final Audit audit;
    private final Spawner spawner;
    private final CgroupManager cgroups;
    private final SeccompPolicy seccomp;
    private final AgentRegistry agents;

    AgentExecs(DaemonConfig cfg, Audit audit, Spawner spawner, CgroupManager cgroups, SeccompPolicy seccomp,
            AgentRegistry agents) {
        this.cfg = cfg;
        this.audit = audit;
        this.spawner = spawner;
        this.cgroups = cgroups;
        this.seccomp = seccomp;
        this.agents = agents;
    }

    private final java.util.concurrent.atomic.AtomicLong execs = new java.util.concurrent.atomic.AtomicLong();

    /**
     * Runs {@code argv} in a fresh sandbox derived from a running agent's: the
     * same uid, filesystem grants and limits, its workspace, no network, its
     * own namespaces, cgroup and root; stdout and stderr captured together.
     */
    Supervisor.ExecResult exec(String agentId, List<String> argv, byte[] stdin, Duration timeout, long maxOutput)
            throws AgentdException {
        LiveAgent l = agents.running(agentId);
        Manifest m = l.manifest;
        Manifest em = new Manifest(m.name() + "-exec", argv, m.env(), m.workdir(), m.uid(), m.resources(), m.limits(), m.filesystem(),
                dev.agentd.manifest.NetworkMode.NONE, m.landlock(), m.seccomp(), RestartPolicy.NEVER, List.of(), List.of(),
                m.source());
        String execId = l.record.id() + "-x" + execs.incrementAndGet();
        Path dir = cfg.agentDir(l.record.id()).resolve("exec").resolve(execId);
        Cgroup cg = null;
        SandboxHandle h = null;
        try (dev.agentd.linux.Pipe in = dev.agentd.linux.Pipe.open()) {
            Files.createDirectories(dir.resolve("root"));
            cg = cgroups.create("exec-" + execId, AgentLifecycle.withPids(m.resources().cgroup(), cfg.defaultPids()), LimitMode.STRICT);
            SandboxSpec spec = SandboxPlanner.builder(em, l.record.uid(), dir.resolve("root"),
                    cfg.agentDir(l.record.id()).resolve("workspace"), dir.resolve("output"), cg, seccomp.compile(m.seccomp()),
                    cfg).stdio(in.readEnd(), null).build();
            h = spawner.spawn(spec);
            in.readEnd().close();
            try (java.io.OutputStream w = dev.agentd.linux.Pipe.outputStream(in.writeEnd())) {
                if (stdin != null) {
                    w.write(stdin);
                }
            } catch (IOException e) {
                // the command did not read its input: fine
            }
            SandboxHandle handle = h;
            java.util.concurrent.CompletableFuture<dev.agentd.linux.WaitStatus> done =
                    java.util.concurrent.CompletableFuture.supplyAsync(() -> {
                        try {
                            return handle.waitFor();
                        } catch (IOException e) {
                            throw new java.io.UncheckedIOException(e);
                        }
                    });
            boolean timedOut = false;
            dev.agentd.linux.WaitStatus st;
            try {
                st = done.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            } catch (java.util.concurrent.TimeoutException e) {
                timedOut = true;
                cg.killAll(AgentExits.KILL_TIMEOUT);
                st = done.join();
            }
            cg.killAll(AgentExits.KILL_TIMEOUT);
            h.reapInit();
            byte[] out = Files.readAllBytes(dir.resolve("output"));
            boolean truncated = out.length > maxOutput;
            String text = new String(out, 0, (int) Math.min(out.length, maxOutput), java.nio.charset.StandardCharsets.UTF_8);
            audit.record(null, agentId, "exec", Map.of("argv", argv, "exit_code", String.valueOf(st.exited() ? st.exitCode() : null),
                    "signal", st.signal(), "timed_out", timedOut, "output_bytes", out.length));
            return new Supervisor.ExecResult(st.exited() ? st.exitCode() : null, st.exited() ? null : st.signal(), timedOut, text, truncated);
        } catch (IOException | IllegalArgumentException | InterruptedException | java.util.concurrent.ExecutionException e) {
            // A cancelled call interrupts this thread: clean up first, with the
            // flag cleared (an interrupted freeze or wait would leave the sandbox
            // frozen and running), then pass the interruption on.
            boolean interrupted = Thread.interrupted() || e instanceof InterruptedException;
            if (h != null && cg != null) {
                try {
                    cg.killAll(AgentExits.KILL_TIMEOUT);
                    h.waitFor();
                } catch (IOException ignored) {
                    // best effort during failure cleanup
                }
                h.reapInit();
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
            throw new AgentdException(AgentdException.SPAWN_REFUSED, "exec " + (interrupted ? "cancelled" : "refused") + ": "
                    + e.getMessage());
        } finally {
            boolean interrupted = Thread.interrupted(); // removal may wait: not interruptibly
            if (cg != null) {
                try {
                    cg.remove();
                } catch (CgroupException e) {
                    System.err.println("agentd: could not remove exec cgroup " + execId + ": " + e.getMessage());
                }
            }
            deleteTree(dir);
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static void deleteTree(Path dir) {
        try (java.util.stream.Stream<Path> s = Files.walk(dir)) {
            s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // leftovers in the agent's directory are harmless
        }
    }
}
