package dev.agentd.agentctl;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The exit statuses of agentctl, and how errors and agents map onto them.
 *
 * <p>Scripts branch on these, so each one names a distinct situation a caller
 * can act on: fix the manifest (5), pick another id (4), start agentd or fix
 * the socket path (3), fix the command line (2), investigate the audit log
 * (6, from {@code audit verify} only). Everything else agentd refuses is 1.
 */
public final class ExitCodes {
    /** Success. */
    public static final int OK = 0;
    /** agentd answered with an error not covered by a more specific code. */
    public static final int AGENTD_ERROR = 1;
    /** The command line was wrong (picocli's own usage-error code). */
    public static final int USAGE = 2;
    /** agentd could not be reached, or the connection was lost. */
    public static final int UNREACHABLE = 3;
    /** agentd has no agent with that id or name. */
    public static final int NO_SUCH_AGENT = 4;
    /** agentd rejected the manifest. */
    public static final int MANIFEST_INVALID = 5;
    /** {@code audit verify} found records edited, inserted or deleted. */
    public static final int AUDIT_TAMPERED = 6;

    /** How a signal death is reported, as shells do. */
    public static final int SIGNAL_BASE = 128;

    private ExitCodes() {}

    /** Maps a JSON-RPC error code from agentd to the exit status agentctl reports. */
    public static int forErrorCode(int rpcCode) {
        return switch (rpcCode) {
            case AdminException.NO_SUCH_AGENT -> NO_SUCH_AGENT;
            case AdminException.MANIFEST_INVALID -> MANIFEST_INVALID;
            default -> AGENTD_ERROR;
        };
    }

    /**
     * The exit status that stands for how an agent ended: its exit code, or
     * 128+signal when a signal killed it (the shell's convention, so that
     * {@code agentctl run} composes like running the program directly).
     * An agent that failed before it could exit (state {@code failed} without
     * a code) reports 1.
     */
    public static int forAgent(Agent agent) {
        if (agent.exitCode() != null) {
            return agent.exitCode();
        }
        if (agent.exitSignal() != null) {
            return SIGNAL_BASE + agent.exitSignal();
        }
        return AGENTD_ERROR;
    }

    /** The EXIT STATUS section shared by every command's help. */
    static Map<String, String> standardHelp() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put(" " + OK, "Success.");
        m.put(" " + AGENTD_ERROR, "agentd returned an error (refused, wrong state, internal error, timeout).");
        m.put(" " + USAGE, "Usage error: unknown option, missing argument, unreadable file.");
        m.put(" " + UNREACHABLE, "Cannot connect to agentd, or the connection was lost.");
        m.put(" " + NO_SUCH_AGENT, "No such agent.");
        m.put(" " + MANIFEST_INVALID, "The manifest is invalid.");
        return m;
    }

    /**
     * The EXIT STATUS section of commands that end with an agent's status
     * ({@code run}, {@code wait}): the agent's status replaces 0, which makes
     * codes 1 to 5 ambiguous there; the error message on stderr (or
     * {@code --json}) tells them apart.
     */
    static Map<String, String> agentHelp() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put(" n", "The agent's own exit code once it exited (0 when it succeeded).");
        m.put(" 128+n", "The agent was killed by signal n (137 = SIGKILL, 143 = SIGTERM).");
        Map<String, String> std = standardHelp();
        std.remove(" " + OK);
        m.putAll(std);
        m.put("", "Codes 1-5 may come from the agent too; stderr says which. With --json, "
                + "the agent record on stdout is the authority.");
        return m;
    }
}
