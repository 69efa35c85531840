package dev.agentd.spawner;

import java.util.List;

/**
 * What a spawn produced.
 *
 * @param initPid  host pid of the reaping init (PID 1 of the sandbox's pid namespace)
 * @param agentPid host pid of the sandboxed program (PID 2 inside), a child of this JVM
 * @param dropped  rules not applied under best effort, each saying what and why; empty when fully enforced
 */
public record SpawnResult(int initPid, int agentPid, List<String> dropped) {
    public SpawnResult {
        dropped = List.copyOf(dropped);
    }
}
