package dev.agentd.daemon;

import java.time.Instant;
import java.util.List;

/**
 * What agentd records of one agent, persisted in SQLite.
 */
record AgentRecord(
        String id,
        String name,
        State state,
        String manifest,
        String manifestPath,
        int uid,
        Integer pid,
        Integer initPid,
        Long pidStartTicks,
        Instant createdAt,
        Instant startedAt,
        Instant exitedAt,
        Integer exitCode,
        Integer exitSignal,
        int restarts,
        int requestedBy,
        List<String> dropped,
        String error,
        boolean stopRequested) {

    /** An agent's life. */
    enum State {
        STARTING, RUNNING, STOPPING, EXITED, FAILED;

        boolean isFinal() {
            return this == EXITED || this == FAILED;
        }

        String wire() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    AgentRecord withState(State s) {
        return new AgentRecord(id, name, s, manifest, manifestPath, uid, pid, initPid, pidStartTicks, createdAt, startedAt,
                exitedAt, exitCode, exitSignal, restarts, requestedBy, dropped, error, stopRequested);
    }

    AgentRecord started(int pid, int initPid, long startTicks, Instant at, List<String> dropped) {
        return new AgentRecord(id, name, State.RUNNING, manifest, manifestPath, uid, pid, initPid, startTicks, createdAt, at,
                null, null, null, restarts, requestedBy, dropped, null, stopRequested);
    }

    AgentRecord exited(Integer code, Integer signal, Instant at, String error) {
        return new AgentRecord(id, name, error == null ? State.EXITED : State.FAILED, manifest, manifestPath, uid, null, null,
                null, createdAt, startedAt, at, code, signal, restarts, requestedBy, dropped, error, stopRequested);
    }

    AgentRecord failed(String why, Instant at) {
        return new AgentRecord(id, name, State.FAILED, manifest, manifestPath, uid, null, null, null, createdAt, startedAt,
                at, null, null, restarts, requestedBy, dropped, why, stopRequested);
    }

    AgentRecord restarting() {
        return new AgentRecord(id, name, State.STARTING, manifest, manifestPath, uid, null, null, null, createdAt, startedAt,
                exitedAt, exitCode, exitSignal, restarts + 1, requestedBy, dropped, null, stopRequested);
    }

    AgentRecord withStopRequested() {
        return new AgentRecord(id, name, State.STOPPING, manifest, manifestPath, uid, pid, initPid, pidStartTicks, createdAt,
                startedAt, exitedAt, exitCode, exitSignal, restarts, requestedBy, dropped, error, true);
    }
}
