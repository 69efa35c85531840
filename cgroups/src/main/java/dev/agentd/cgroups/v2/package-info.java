/**
 * The cgroup v2 driver: one class per controller ({@code Memory}, {@code Pids},
 * {@code Cpu}, {@code Io}) plus the core freezer, one directory per cgroup.
 * Not API: obtain it through {@link dev.agentd.cgroups.Cgroups#detect()}.
 */
package dev.agentd.cgroups.v2;
