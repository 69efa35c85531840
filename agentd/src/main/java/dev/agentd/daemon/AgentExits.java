package dev.agentd.daemon;

import dev.agentd.cgroups.Cgroup;
import dev.agentd.cgroups.CgroupException;
import dev.agentd.cgroups.CgroupStats;
import dev.agentd.manifest.RestartPolicy;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * What happens when an agent ends: the {@link Reaper} learns of it; on its
 * exit pool the agent's cgroup is emptied and removed, the exit recorded with
 * its resource usage, and the restart policy applied (a backoff is a timer,
 * not a waiting thread).
 */
final class AgentExits implements AutoCloseable {
    static final Duration KILL_TIMEOUT = Duration.ofSeconds(10);

    /** Starts a restarting agent again (the lifecycle's launch). */
    interface Relaunch {
        void launch(LiveAgent l) throws AgentdException;
    }

    private final AgentRegistry agents;
    private final Audit audit;
    private final Capabilities caps;
    private final Supplier<Toolcalls> toolcalls;
    private final Reaper reaper;
    /** Restart backoffs: timers on one thread (none while no restart waits). */
    private final ScheduledThreadPoolExecutor backoffs;
    private volatile Relaunch relaunch;

    AgentExits(AgentRegistry agents, Audit audit, Capabilities caps, Supplier<Toolcalls> toolcalls) {
        this.agents = agents;
        this.audit = audit;
        this.caps = caps;
        this.toolcalls = toolcalls;
        try {
            this.reaper = new Reaper();
        } catch (dev.agentd.linux.SyscallException e) {
            throw new IllegalStateException("cannot create the reaper's epoll: " + e.getMessage(), e);
        }
        this.backoffs = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "agentd-restart-backoff");
            t.setDaemon(true);
            return t;
        });
        backoffs.setRemoveOnCancelPolicy(true);
        backoffs.setKeepAliveTime(30, TimeUnit.SECONDS);
        backoffs.allowCoreThreadTimeOut(true);
    }

    void relaunch(Relaunch r) {
        this.relaunch = r;
    }

    /** Stops watching (agents keep running, for the next agentd to re-adopt). */
    @Override
    public void close() {
        backoffs.shutdownNow();
        reaper.close();
    }

    void watch(LiveAgent l) {
        try {
            reaper.watch(l.process.pidfd(), () -> onExit(l));
        } catch (IOException | RuntimeException e) {
            watcherFailed(l, e);
        }
    }

    /** On an exit worker: the agent's process has ended. */
    private void onExit(LiveAgent l) {
        try {
            handleExit(l);
        } catch (Throwable e) {
            watcherFailed(l, e);
        }
    }

    /** Never leave a live entry nobody watches: record the failure and let waiters go. */
    private void watcherFailed(LiveAgent l, Throwable e) {
        System.err.println("agentd: watching " + l.record.id() + " failed: " + e);
        AgentRecord failed = l.record.failed("watcher failed: " + e, Instant.now());
        l.record = failed;
        try {
            agents.record(failed);
        } catch (AgentdException | RuntimeException ignored) {
            // already reported on stderr
        }
        synchronized (l) {
            agents.remove(failed.id(), l);
            l.notifyAll();
        }
    }

    private void handleExit(LiveAgent l) {
        AgentProcess.Exit exit;
        try {
            exit = l.process.awaitExit(); // at once: the process has ended
        } catch (IOException | InterruptedException e) {
            exit = AgentProcess.Exit.UNKNOWN;
        }
        Map<String, Object> usage = usage(l.cgroup);
        cleanup(l);
        AgentRecord exited;
        synchronized (l) { // a stop request landing now is not lost
            exited = l.record.exited(exit.code(), exit.signal(), Instant.now(), null);
            l.record = exited;
            agents.recordOrReport(exited);
        }
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("exit_code", exit.code());
        details.put("exit_signal", exit.signal());
        if (exit.code() == null && exit.signal() == null) {
            details.put("note", "exit status unknown: agent was re-adopted, and only a parent learns it: "
                    + ExitKeeper.unavailableNote());
        }
        details.put("resources", usage);
        audit.record(null, exited.id(), "exit", details);
        if (!shouldRestart(l, exit)) {
            caps.forget(exited.id());
            synchronized (l) {
                agents.remove(exited.id());
                l.notifyAll();
            }
            return;
        }
        RestartPolicy p = l.manifest.restart();
        long backoffNanos = TimeUnit.MILLISECONDS.toNanos(p.backoff().toMillis() << Math.min(exited.restarts(), 6));
        synchronized (l) {
            // The backoff is a timer, not a waiting thread; a stop ends it at once
            // (see wakeBackoff) rather than holding for the whole, doubling, backoff.
            l.pendingExit = exited;
            if (l.record.stopRequested()) {
                reaper.submit(() -> afterBackoff(l));
            } else {
                l.backoff = backoffs.schedule(() -> reaper.submit(() -> afterBackoff(l)), backoffNanos,
                        TimeUnit.NANOSECONDS);
            }
        }
    }

    /** A stop or kill landed: a restart waiting out its backoff goes on now (and sees the stop). */
    void wakeBackoff(LiveAgent l) {
        java.util.concurrent.ScheduledFuture<?> f = l.backoff;
        if (f != null && f.cancel(false)) {
            reaper.submit(() -> afterBackoff(l));
        }
    }

    private void afterBackoff(LiveAgent l) {
        AgentRecord exited;
        synchronized (l) {
            l.backoff = null;
            exited = l.pendingExit;
            if (exited == null) {
                return; // already handled (a stop and the timer both fired)
            }
            l.pendingExit = null;
            if (l.record.stopRequested()) {
                // Stopped while waiting to restart: it stays exited, and says so.
                AgentRecord stopped = exited.withStopRequested().withState(AgentRecord.State.EXITED);
                l.record = stopped;
                agents.recordOrReport(stopped);
                caps.forget(exited.id());
                agents.remove(exited.id());
                l.notifyAll();
                return;
            }
            l.record = exited.restarting();
            agents.recordOrReport(l.record);
        }
        try {
            launchForRestart(l); // watches the new process
        } catch (AgentdException e) {
            agents.remove(exited.id());
            synchronized (l) {
                l.notifyAll();
            }
        } catch (RuntimeException e) {
            watcherFailed(l, e);
        }
    }

    private void launchForRestart(LiveAgent l) throws AgentdException {
        audit.record(null, l.record.id(), "restart", Map.of("restarts", l.record.restarts(),
                "policy", l.manifest.restart().policy().yamlName()));
        relaunch.launch(l);
    }

    private static boolean shouldRestart(LiveAgent l, AgentProcess.Exit exit) {
        if (l.record.stopRequested()) {
            return false;
        }
        RestartPolicy p = l.manifest.restart();
        switch (p.policy()) {
            case ALWAYS:
                return true;
            case ON_FAILURE:
                return exit.failed() && l.record.restarts() < p.maxRetries();
            default:
                return false;
        }
    }

    private void cleanup(LiveAgent l) {
        Toolcalls toolcalls = this.toolcalls.get();
        if (toolcalls != null) {
            toolcalls.close(l.record.id());
        }
        try {
            if (l.cgroup != null) {
                l.cgroup.killAll(KILL_TIMEOUT);
            }
        } catch (CgroupException e) {
            System.err.println("agentd: could not empty cgroup of " + l.record.id() + ": " + e.getMessage());
        }
        l.process.release();
        try {
            if (l.cgroup != null) {
                l.cgroup.remove();
            }
        } catch (CgroupException e) {
            System.err.println("agentd: could not remove cgroup of " + l.record.id() + ": " + e.getMessage());
        }
    }

    static Map<String, Object> usage(Cgroup cg) {
        Map<String, Object> u = new LinkedHashMap<>();
        if (cg == null) {
            return u;
        }
        try {
            CgroupStats s = cg.stats();
            u.put("memory_current", opt(s.memoryCurrentBytes()));
            u.put("memory_peak", opt(s.memoryPeakBytes()));
            u.put("cpu_usage_usec", s.cpuUsageNanos().isPresent() ? s.cpuUsageNanos().getAsLong() / 1000 : null);
            u.put("pids_current", opt(s.pidsCurrent()));
            u.put("oom_kills", opt(s.oomKills()));
        } catch (CgroupException e) {
            u.put("error", e.getMessage());
        }
        return u;
    }

    private static Long opt(OptionalLong v) {
        return v.isPresent() ? v.getAsLong() : null;
    }
}
