/**
 * Shared plumbing of the cgroup drivers: file access with path-carrying errors,
 * mountinfo parsing, polling, the kill loop. Not API: public only so the
 * {@code v1} and {@code v2} packages can share it; it may change at any time.
 */
package dev.agentd.cgroups.internal;
