package dev.agentd.daemon;

import dev.agentd.cgroups.Cgroup;
import dev.agentd.manifest.Manifest;
import java.util.concurrent.ScheduledFuture;

/**
 * A running agent: its record (replaced as it changes), process and cgroup.
 * Its monitor orders a stop against the exit and restart decisions, and
 * waiters for its end wait on it.
 */
final class LiveAgent {
    volatile AgentRecord record;
    volatile AgentProcess process;
    volatile Cgroup cgroup;
    volatile String parentId;
    /** While a restart waits out its backoff: the exit it follows, and its timer. */
    volatile AgentRecord pendingExit;
    volatile ScheduledFuture<?> backoff;
    final Manifest manifest;

    LiveAgent(AgentRecord record, Manifest manifest) {
        this.record = record;
        this.manifest = manifest;
    }
}
