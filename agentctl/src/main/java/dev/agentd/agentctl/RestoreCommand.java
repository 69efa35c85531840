package dev.agentd.agentctl;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code agentctl restore CHECKPOINT}: a checkpoint back as a running agent. */
@Command(name = "restore",
        mixinStandardHelpOptions = true,
        header = "Restore a checkpoint as a running agent, exactly as confined as its manifest says.",
        description = {
            "Builds a fresh sandbox from the checkpoint's manifest (same uid, limits, filesystem view, "
                    + "namespaces, cgroup), puts the workspace and /tmp snapshots and the log back, and "
                    + "has CRIU restore the process tree inside the agent's own Landlock domain. The agent "
                    + "goes on from where it was dumped, under a new agent id. Prints that id.",
            "",
            "Never less confined: before the agent is handed over, agentd compares its "
                    + "/proc/PID/status (uid, gid, groups, capabilities, NoNewPrivs, Seccomp), namespaces "
                    + "and cgroup with the manifest, and runs a probe in the same Landlock domain (it must "
                    + "see the agent, be refused the agent's log, and not reach the sandbox's init). Any "
                    + "mismatch kills the restored sandbox and the restore fails; there is no option to "
                    + "skip this.",
            "",
            "The uid must be free: a restored agent keeps its uid (CRIU restores credentials), so a "
                    + "running agent with that uid (the original, after --leave-running) must be stopped "
                    + "first. A tool-call connection the agent had open is not carried over: the agentd "
                    + "clients reconnect on their next call."},
        footer = {
            "%nEXAMPLES",
            "  agentctl restore 5e1f0c2a",
            "  agentctl restore 5e1f0c2a --name researcher-2 --json | jq -r .id"})
final class RestoreCommand implements Callable<Integer> {
    @Mixin
    private CommonOptions common;

    @Parameters(paramLabel = "CHECKPOINT", description = "The checkpoint's id (agentctl checkpoints lists them).")
    private String id;

    @Option(names = "--name", paramLabel = "NEW", description = "Name the restored agent NEW instead of the "
            + "checkpointed agent's name.")
    private String name;

    @Override
    public Integer call() throws Exception {
        try (AdminClient agentd = common.connect()) {
            Agent a = new Agent(agentd.call(new Request.CheckpointRestore(id, name), CheckpointProgress.to(common)));
            common.print(a, a.id() + "\n");
        }
        return ExitCodes.OK;
    }
}
