/**
 * Launches one sandboxed process from an immutable {@link dev.agentd.spawner.SandboxSpec}.
 *
 * <p>Public API:
 * <ul>
 *   <li>{@link dev.agentd.spawner.SandboxSpec} and its builder — validated in Java before the kernel is touched;</li>
 *   <li>{@link dev.agentd.spawner.BindMount}, {@link dev.agentd.spawner.PathAccess} — the filesystem view and its Landlock rules;</li>
 *   <li>{@link dev.agentd.spawner.Spawner#create()} and {@link dev.agentd.spawner.Spawner#spawn} — returns a
 *       {@link dev.agentd.spawner.SandboxHandle} (pid, pidfd signals, wait, kill the whole tree) or throws a
 *       {@link dev.agentd.spawner.SpawnException} naming the failed step.</li>
 * </ul>
 *
 * <p>How: a fresh platform thread restricts itself step by step ({@code SpawnSequence}) and
 * {@code posix_spawn}s a reaping init (PID 1 of the new pid namespace) and the program (PID 2), which
 * inherit its namespaces, root, credentials, no_new_privs, Landlock domain, seccomp filter and v1
 * cgroups. Where a child must be placed from outside (cgroup v2, resource limits), a spawn gate holds
 * it before {@code execve} until it is placed. The rest of the JVM keeps its privileges.
 */
package dev.agentd.spawner;
