package dev.agentd.agentctl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Clock;
import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** Main builds only the subcommand a command line names; what it builds must be what the full tree would run. */
class LazySubcommandsTest {
    @Test
    void named_eachNameAndAliasOfTheFullTree_isItsClass() {
        CommandLine all = Main.commandLine(Clock.systemUTC(), Map.of());
        int checked = 0;
        for (Map.Entry<String, CommandLine> e : all.getSubcommands().entrySet()) {
            if (e.getKey().equals("help")) {
                continue;
            }
            assertEquals(e.getValue().getCommand().getClass(), Main.named(new String[] {e.getKey(), "x"}), e.getKey());
            checked++;
        }
        assertTrue(checked >= 22, "checked " + checked);
        assertEquals(checked, Agentctl.BY_NAME.size(), "names in the table that no subcommand has: " + Agentctl.BY_NAME.keySet());
    }

    @Test
    void named_skipsTheGlobalOptions() {
        assertEquals(StopCommand.class, Main.named(new String[] {"--socket", "/s", "--json", "stop", "a", "b"}));
        assertEquals(ListCommand.class, Main.named(new String[] {"--socket=/s", "ls"}));
    }

    @Test
    void named_helpAndUnclearCases_meanTheWholeTree() {
        assertNull(Main.named(new String[] {"help", "list"}));
        assertNull(Main.named(new String[] {"--help"}));
        assertNull(Main.named(new String[] {"--sockt", "x", "list"}));
        assertNull(Main.named(new String[] {"lsit"}));
        assertNull(Main.named(new String[] {}));
    }

    @Test
    void named_version_needsNoSubcommand() {
        assertEquals(Void.class, Main.named(new String[] {"--version"}));
        var r = Cli.runWithEnv(Map.of(), "-V");
        assertEquals(0, r.exit(), r::toString);
        assertTrue(r.out().startsWith("agentctl "), r.out());
    }

    @Test
    void typo_isAUsageErrorAgainstTheWholeTree() {
        var r = Cli.runWithEnv(Map.of(), "lsit");

        assertEquals(ExitCodes.USAGE, r.exit(), r::toString);
        assertTrue(r.err().contains("'lsit'"), r.err());
    }
}
