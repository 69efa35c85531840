package dev.agentd.seccomp;

import dev.agentd.linux.Arch;
import java.util.Optional;
import java.util.Set;

/**
 * What a profile is compiled for: the architecture, the capabilities the
 * confined process will hold (Docker's {@code includes.caps} /
 * {@code excludes.caps} are decided against them) and the kernel version
 * ({@code minKernel}).
 *
 * @param arch         the only architecture the filter lets through
 * @param capabilities capability names such as {@code CAP_SYS_ADMIN}; agentd's agents hold none
 * @param kernel       the kernel to decide {@code minKernel} for; empty means "new enough for every
 *                     condition", which the compile report notes
 */
public record Target(Arch arch, Set<String> capabilities, Optional<KernelVersion> kernel) {
    public Target {
        if (arch == null) {
            throw new NullPointerException("arch");
        }
        capabilities = Set.copyOf(capabilities);
        for (String c : capabilities) {
            if (!c.matches("CAP_[A-Z_]+")) {
                throw new IllegalArgumentException("not a capability name (CAP_...): \"" + c + "\"");
            }
        }
        if (kernel == null) {
            throw new NullPointerException("kernel");
        }
    }

    /** {@code arch}, no capabilities, no kernel version. */
    public static Target of(Arch arch) {
        return new Target(arch, Set.of(), Optional.empty());
    }

    /** This machine: {@link Arch#current()}, no capabilities, {@link KernelVersion#running()}. */
    public static Target current() {
        return new Target(Arch.current(), Set.of(), Optional.of(KernelVersion.running()));
    }

    /** A copy holding {@code caps}. */
    public Target withCapabilities(Set<String> caps) {
        return new Target(arch, caps, kernel);
    }

    /** A copy for kernel {@code version}. */
    public Target withKernel(KernelVersion version) {
        return new Target(arch, capabilities, Optional.of(version));
    }
}
