package dev.agentd.agentctl;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code agentctl daemon status}: agentd, and which sandbox features the kernel gives it. */
@Command(name = "status",
        mixinStandardHelpOptions = true,
        header = "Show agentd's version and what the kernel offers it.",
        description = {
            "Prints agentd's version, pid, uptime and running agents, then what the kernel provides for "
                    + "sandboxing as agentd detected it at start: kernel release and architecture, the "
                    + "Landlock ABI, seccomp and seccomp user notification, the cgroup layout "
                    + "(unified, hybrid or legacy) and the controllers agentd may use, and CRIU.",
            "",
            "Rules a manifest asks for that this kernel lacks are dropped under best effort "
                    + "(see `agentctl status ID`) or refuse the spawn under a hard requirement."},
        footer = {
            "%nEXAMPLES",
            "  agentctl daemon status",
            "  agentctl daemon status --json | jq .kernel.landlock_abi"})
final class DaemonStatusCommand implements Callable<Integer> {
    @Mixin
    private CommonOptions common;

    @Override
    public Integer call() throws Exception {
        try (AdminClient agentd = common.connect()) {
            DaemonInfo info = agentd.daemonStatus();
            common.print(info, Human.daemon(info));
        }
        return ExitCodes.OK;
    }
}
