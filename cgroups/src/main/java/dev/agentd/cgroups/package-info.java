/**
 * Linux cgroups for one process tree: create a cgroup with limits, put
 * processes in it, read its counters, freeze, kill, remove. The same API over
 * cgroup v2 and v1 (legacy and hybrid layouts). Knows nothing about agents.
 *
 * <h2>API</h2>
 * <ul>
 *   <li>{@link dev.agentd.cgroups.Cgroups#detect()} — detects the layout once and
 *       returns a {@link dev.agentd.cgroups.CgroupManager}.</li>
 *   <li>{@link dev.agentd.cgroups.CgroupManager#create(String, CgroupLimits, LimitMode)} —
 *       all or nothing, under a parent ({@code agentd} below our own cgroup by default,
 *       {@link dev.agentd.cgroups.CgroupManager#withParent(String)} to change);
 *       {@code open(name)} for an existing one.</li>
 *   <li>{@link dev.agentd.cgroups.Cgroup} — {@code apply}, {@code stats},
 *       {@code freeze}/{@code thaw}, {@code pids}, {@code addProcess},
 *       {@code joinThread} (v1 only), {@code killAll}, {@code remove}.</li>
 *   <li>{@link dev.agentd.cgroups.CgroupLimits} (built by its builder),
 *       {@link dev.agentd.cgroups.LimitSyntax} ({@code 512M}, {@code 0.5} CPUs,
 *       {@code max}), {@link dev.agentd.cgroups.CpuQuota}.</li>
 *   <li>Unsupported limits: {@link dev.agentd.cgroups.LimitMode#STRICT} throws
 *       {@link dev.agentd.cgroups.UnsupportedLimitException};
 *       {@link dev.agentd.cgroups.LimitMode#BEST_EFFORT} returns a
 *       {@link dev.agentd.cgroups.LimitReport} listing them with reasons.</li>
 *   <li>Errors: {@link dev.agentd.cgroups.CgroupException}, whose message names the
 *       file and value; bad input is {@link java.lang.IllegalArgumentException}.</li>
 * </ul>
 *
 * <pre>{@code
 * CgroupManager cgroups = Cgroups.detect();
 * Cgroup cg = cgroups.create("agent-42", CgroupLimits.builder()
 *         .memoryMax("512M").cpus("1").pidsMax("256").build(), LimitMode.STRICT);
 * cg.addProcess(pid);
 * ...
 * cg.killAll(Duration.ofSeconds(5));
 * cg.remove();
 * }</pre>
 *
 * <p>The drivers live in {@code dev.agentd.cgroups.v1} and {@code .v2}, one
 * class per controller; {@code .internal} is shared plumbing. None of them is API.
 */
package dev.agentd.cgroups;
