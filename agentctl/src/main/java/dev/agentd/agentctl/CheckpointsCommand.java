package dev.agentd.agentctl;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** {@code agentctl checkpoints [ID]}: the checkpoint catalog. */
@Command(name = "checkpoints",
        mixinStandardHelpOptions = true,
        header = "List checkpoints, of all agents or of one.",
        description = {
            "Prints a table, oldest first:",
            "",
            "  ID AGENT NAME CREATED SIZE FROZEN PARENT ORIGIN",
            "",
            "AGENT and NAME are the agent the checkpoint was taken of; SIZE is images plus snapshots; "
                    + "FROZEN how long the agent was stopped for the dump; PARENT the checkpoint an "
                    + "incremental one builds on; ORIGIN local or imported. --json gives the whole catalog "
                    + "entries: kernel and CRIU versions, manifest, grants and pending approvals at the "
                    + "checkpoint."},
        footer = {
            "%nEXAMPLES",
            "  agentctl checkpoints",
            "  agentctl checkpoints researcher --json | jq -r '.checkpoints[-1].id'"})
final class CheckpointsCommand implements Callable<Integer> {
    @Mixin
    private CommonOptions common;

    @Parameters(paramLabel = "ID", arity = "0..1", description = "Only checkpoints of this agent (id or name).")
    private String agent;

    @Override
    public Integer call() throws Exception {
        try (AdminClient agentd = common.connect()) {
            JsonNode r = agentd.call(new Request.CheckpointList(agent));
            List<String[]> rows = new ArrayList<>();
            rows.add(new String[] {"ID", "AGENT", "NAME", "CREATED", "SIZE", "FROZEN", "PARENT", "ORIGIN"});
            for (JsonNode n : r.path("checkpoints")) {
                Checkpoint c = new Checkpoint(n);
                rows.add(new String[] {c.id(), c.agentId(), Human.printable(c.agentName()),
                    Human.age(c.createdAt(), common.now()) + " ago", Human.bytes(c.sizeBytes()),
                    c.dumpMillis() + " ms", c.parent() == null ? "-" : c.parent(), c.origin()});
            }
            common.print(() -> r, rows.size() == 1 ? "no checkpoints\n" : Human.columns(rows));
        }
        return ExitCodes.OK;
    }
}
