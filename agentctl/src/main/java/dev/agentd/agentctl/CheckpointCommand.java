package dev.agentd.agentctl;

import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code agentctl checkpoint ID}: dump a running agent with CRIU; and the checkpoint subcommands. */
@Command(name = "checkpoint",
        mixinStandardHelpOptions = true,
        header = "Checkpoint a running agent with CRIU (or: checkpoint rm | export | import).",
        description = {
            "Dumps the running agent ID (its whole process tree, below its sandbox's init) with CRIU 4 "
                    + "into agentd's checkpoint store, with what CRIU does not save: a snapshot of the "
                    + "agent's workspace and /tmp, and its log. The agent is stopped for the dump and the "
                    + "snapshots, so they agree; then it is resumed (--leave-running) or, by default, "
                    + "stopped for good (recorded as killed by the checkpoint). Prints the checkpoint's id; "
                    + "progress goes to stderr.",
            "",
            "A checkpoint comes back with `agentctl restore CHECKPOINT`: a new agent, same uid, same "
                    + "manifest limits and view, in a fresh sandbox. agentd checks after every restore, from "
                    + "the outside and from a probe inside, that the agent is exactly as confined as its "
                    + "manifest says (uid, capabilities, no_new_privs, seccomp, Landlock, namespaces, "
                    + "cgroup); a restore that cannot show that is undone.",
            "",
            "Only agents with `network: none` (the default) can be checkpointed. agentd needs CRIU 4.0 "
                    + "or newer (`agentctl daemon status` shows which it found; Debian trixie's `criu` "
                    + "package is 4.1; bookworm's 3.17 does not work on Linux 6).",
            "",
            "--incremental copies the agent's memory while it runs (criu pre-dump), then stops it only "
                    + "to dump the pages changed since, so the agent is frozen for less time; when the "
                    + "agent has a checkpoint taken with --leave-running in the same run, only the pages "
                    + "changed since that one are stored, and this checkpoint needs it (it cannot be "
                    + "removed or exported before this one). It needs the kernel's dirty-memory tracking "
                    + "(soft-dirty) and is refused, with the reason, where that is missing.",
            "",
            "With several IDs, the agents are checkpointed one after the other, each reported as "
                    + "`ID: CHECKPOINT` in the order given (--json: an array, an {\"id\", \"error\"} object "
                    + "for each that failed); the exit status is that of the first failure."},
        subcommands = {CheckpointRmCommand.class, CheckpointExportCommand.class, CheckpointImportCommand.class},
        footer = {
            "%nEXAMPLES",
            "  agentctl checkpoint researcher                  # dump, then stop it",
            "  agentctl checkpoint --leave-running researcher  # dump, keep it running",
            "  agentctl checkpoint --leave-running --incremental researcher",
            "  agentctl checkpoints researcher",
            "  agentctl restore 5e1f0c2a --name researcher-2",
            "  agentctl checkpoint export 5e1f0c2a /srv/moves/researcher.ckpt",
            "  agentctl checkpoint import /srv/moves/researcher.ckpt   # on another agentd",
            "  agentctl checkpoint rm 5e1f0c2a"})
final class CheckpointCommand implements Callable<Integer> {
    @Mixin
    private CommonOptions common;

    @Spec
    private CommandSpec spec;

    @Parameters(paramLabel = "ID", arity = "0..*", description = "The running agent's id, or its name when unique.")
    private List<String> ids;

    @Option(names = "--leave-running", description = "Resume the agent after the dump instead of stopping it.")
    private boolean leaveRunning;

    @Option(names = "--incremental", description = "Pre-dump the memory while the agent runs, then dump only what "
            + "changed, on top of the agent's last --leave-running checkpoint when there is one (needs "
            + "dirty-memory tracking in the kernel).")
    private boolean incremental;

    @Override
    public Integer call() throws Exception {
        if (ids == null || ids.isEmpty()) {
            throw new ParameterException(spec.commandLine(), "Missing agent ID (or a subcommand: rm, export, import)");
        }
        return EachId.run(common, ids,
                (agentd, id) -> new Checkpoint(agentd.call(new Request.CheckpointCreate(id, leaveRunning, incremental),
                        CheckpointProgress.to(common))),
                (c, several) -> several ? c.agentId() + ": " + c.id() + "\n" : c.id() + "\n");
    }
}
