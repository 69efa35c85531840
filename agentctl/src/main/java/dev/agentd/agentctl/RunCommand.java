package dev.agentd.agentctl;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/**
 * {@code agentctl run FILE}: spawn, follow the logs, exit with the agent's
 * status, so an agent can be used like a program in scripts and CI.
 */
@Command(name = "run",
        mixinStandardHelpOptions = true,
        header = "Start an agent, stream its output until it exits, exit with its status.",
        description = {
            "Like spawn, then follows the agent's log on stdout until the agent exits, then exits with "
                    + "the agent's exit code, or 128+N when signal N killed it (as a shell reports it).",
            "",
            "With --json, each log line is printed as one compact {\"line\": ...} object as it arrives, "
                    + "followed by the final agent record, pretty.",
            "",
            "Interrupting agentctl (Ctrl-C) detaches: the agent keeps running. "
                    + "Stop it with `agentctl stop ID` (`agentctl list` shows the id). Closing agentctl's "
                    + "output (piping into head, say) also detaches, with exit status 141."},
        footer = {
            "%nEXAMPLES",
            "  agentctl run researcher.yaml",
            "  agentctl run job.yaml > job.log || echo \"agent failed with $?\""})
final class RunCommand implements Callable<Integer>, ManifestSource {
    @Mixin
    private CommonOptions common;

    @Parameters(paramLabel = "FILE", description = "The agent's manifest (YAML).")
    private Path file;

    @Override
    public Integer call() throws Exception {
        String text = Manifests.read(file);
        try (AdminClient agentd = common.connect()) {
            Agent agent = agentd.spawn(text, file);
            common.warnDropped(agent);
            // No tail: agentd's default backlog covers what the agent printed
            // between spawn and this request.
            LogsResult rest = agentd.follow(agent.id(), null, common::printLogLine);
            rest.lines().forEach(common::printLogLine);
            // The log ends when the agent's output closes, which can precede
            // agentd recording the exit; wait makes the status final.
            Agent done = agentd.waitFor(agent.id(), 0);
            if (common.json()) {
                common.printJson(done.json());
            } else if (done.exitCode() == null) {
                common.err().println("agentctl: agent " + done.id() + " " + Human.endingLong(done));
                common.err().flush();
            }
            return ExitCodes.forAgent(done);
        }
    }

    @Override
    public Path manifestFile() {
        return file.toAbsolutePath().normalize();
    }
}
