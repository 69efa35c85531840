package dev.agentd.tests.support;

import dev.agentd.cgroups.CgroupManager;
import dev.agentd.cgroups.Cgroups;
import dev.agentd.cgroups.Layout;
import dev.agentd.landlock.Landlock;
import dev.agentd.linux.SeccompSyscall;
import dev.agentd.linux.testing.Require;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * What every test here needs from the machine, declared through
 * {@link Require} so that CI ({@code AGENTD_REQUIRE=root,landlock,seccomp,cgroup-v1})
 * fails instead of skipping.
 */
public final class Kernel {
    /** v1 controllers agentd limits and accounts with. */
    public static final List<String> V1_CONTROLLERS = List.of("memory", "pids", "cpu", "cpuacct");
    public static final Path PYTHON = Path.of("/usr/bin/python3");
    public static final Path CATATONIT = Path.of("/usr/bin/catatonit");

    private Kernel() {}

    /** A whole agentd with real agents: root, cgroup v1, Landlock, seccomp, the sandbox init and python3. */
    public static void requireAgentd() {
        Require.root();
        requireCgroupV1();
        Require.feature("landlock", Landlock.isAvailable(), String.valueOf(Landlock.unavailabilityCause()));
        Require.feature("seccomp", SeccompSyscall.filterAvailable(), "SECCOMP_GET_ACTION_AVAIL failed");
        Require.feature("catatonit", Files.isExecutable(CATATONIT), CATATONIT + " missing: apt-get install catatonit");
        Require.feature("python3", Files.isExecutable(PYTHON), PYTHON + " missing: the probes are Python scripts");
    }

    /**
     * The kernel keeps a reaped process's exit status for its pidfds
     * ({@code PIDFD_INFO_EXIT}, Linux ≥ 6.15): agentd then knows how an agent
     * that ended while it was down ended.
     */
    public static void requirePidfdInfoExit() {
        Require.feature("pidfd-info-exit", dev.agentd.linux.PidfdInfo.exitSupported(),
                "ioctl(PIDFD_GET_INFO, PIDFD_INFO_EXIT) gave no exit status for a reaped child (Linux >= 6.15 has it)");
    }

    public static void requireCgroupV1() {
        CgroupManager m = null;
        String cause;
        try {
            m = Cgroups.detect();
            cause = "layout " + m.layout() + " with controllers " + m.controllers() + ", need v1 " + V1_CONTROLLERS;
        } catch (Exception e) {
            cause = e.getMessage();
        }
        Require.feature("cgroup-v1", m != null && m.layout() != Layout.UNIFIED && m.controllers().containsAll(V1_CONTROLLERS),
                cause);
    }
}
