package dev.agentd.agentctl;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code agentctl logs ID}: print, or follow, an agent's output. */
@Command(name = "logs",
        mixinStandardHelpOptions = true,
        header = "Print an agent's output.",
        description = {
            "Prints the agent's recent log lines. With --follow, keeps printing new lines as the agent "
                    + "writes them and returns when the agent exits.",
            "",
            "With --json and without --follow, prints agentd's result {\"lines\": [...], \"eof\": ...}. "
                    + "With --json --follow, prints one compact {\"line\": ...} object per line as it arrives, "
                    + "then the result.",
            "",
            "When stdout's reader goes away (`| grep -m1 ready`), agentctl stops following and exits "
                    + "with 141, as a program killed by SIGPIPE would."},
        footer = {
            "%nEXAMPLES",
            "  agentctl logs a1b2c3d4 --tail 20",
            "  agentctl logs -f researcher"})
final class LogsCommand implements Callable<Integer> {
    @Mixin
    private CommonOptions common;

    @Parameters(paramLabel = "ID", description = "The agent's id, or its name when unique.")
    private String id;

    @Option(names = {"-f", "--follow"}, description = "Keep printing new lines until the agent exits.")
    private boolean follow;

    @Option(names = {"-n", "--tail"}, paramLabel = "N",
            description = "Print only the last N lines already written. Default: agentd's (100).")
    private Integer tail;

    @Override
    public Integer call() throws Exception {
        if (tail != null && tail < 0) {
            throw new CliException(ExitCodes.USAGE, "--tail must be 0 or more, not " + tail);
        }
        try (AdminClient agentd = common.connect()) {
            if (!follow) {
                LogsResult logs = agentd.logs(id, tail);
                common.print(logs, logs.lines().isEmpty() ? "" : String.join("\n", logs.lines()) + "\n");
                return ExitCodes.OK;
            }
            LogsResult rest = agentd.follow(id, tail, common::printLogLine);
            if (common.json()) {
                common.printJson(rest.json());
            } else {
                rest.lines().forEach(common::printLogLine);
            }
        }
        return ExitCodes.OK;
    }
}
