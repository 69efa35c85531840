/**
 * The cgroup v1 driver: one class per controller ({@code Memory}, {@code Pids},
 * {@code Cpu}, {@code Cpuacct}, {@code Freezer}, {@code Blkio}), one directory
 * per mounted hierarchy. Not API: obtain it through
 * {@link dev.agentd.cgroups.Cgroups#detect()}.
 */
package dev.agentd.cgroups.v1;
