package dev.agentd.seccomp;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * Profiles shipped with this module.
 *
 * <p>{@code agent-default} ({@code dev/agentd/seccomp/agent-default.json})
 * is an allow-list in the spirit of Docker's default profile for a process
 * without capabilities: default answer {@code ERRNO(EPERM)}, about 300
 * syscalls an ordinary program needs (files, memory, threads, signals,
 * sockets, time, polling, process creation and exec), and explicit denials
 * of what lets a process reach past its sandbox — namespaces (unshare,
 * setns, clone with any CLONE_NEW* flag), the mount family and the new mount
 * API, bpf, ptrace and process_vm_*, keyrings, io_uring, userfaultfd,
 * perf_event_open, kexec and modules, reboot, swap, file handles,
 * personality changes, TIOCSTI/TIOCLINUX ioctls, AF_ALG and AF_VSOCK
 * sockets, clock and time changes, and obsolete or privileged calls.
 * {@code clone3} answers ENOSYS so that glibc falls back to {@code clone},
 * whose flags the filter can see. Each rule carries a {@code comment}
 * saying why.
 */
public final class SeccompProfiles {
    private SeccompProfiles() {}

    /** Class-path name of the agent-default profile. */
    public static final String AGENT_DEFAULT_RESOURCE = "/dev/agentd/seccomp/agent-default.json";

    private static volatile SeccompProfile agentDefault;

    /** The built-in agent profile (parsed once). */
    public static SeccompProfile agentDefault() {
        SeccompProfile p = agentDefault;
        if (p == null) {
            try {
                p = SeccompProfile.parse(agentDefaultJson(), "agent-default.json");
            } catch (ProfileException e) {
                throw new IllegalStateException("the built-in agent-default profile is broken: " + e.getMessage(), e);
            }
            agentDefault = p;
        }
        return p;
    }

    /** The JSON text of the agent-default profile, e.g. to print it or start a custom profile from it. */
    public static String agentDefaultJson() {
        try (InputStream in = SeccompProfiles.class.getResourceAsStream(AGENT_DEFAULT_RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("resource " + AGENT_DEFAULT_RESOURCE + " missing from the seccomp jar");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
