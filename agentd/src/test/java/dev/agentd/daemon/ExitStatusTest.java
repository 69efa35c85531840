package dev.agentd.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Reading an agent's exit status where agentd is not its parent: /proc of a zombie, and the keeper's /proc status. */
class ExitStatusTest {
    /** A zombie's /proc/PID/stat: 52 fields, state Z (field 3), start time 89149 (field 22), exit_code (field 52). */
    static String stat(String comm, char state, long startTicks, int exitCode) {
        return "22922 (" + comm + ") " + state + " 22916 22916 4105 0 -1 4194304 98 0 0 0 0 0 0 0 20 0 1 0 " + startTicks
                + " 3133440 411 18446744073709551615 94456334823424 94456334843305 140726290907232 0 0 0 0 0 0 0 0 0 17"
                + " 0 0 0 0 0 0 94456334859312 94456334860928 94456507613184 140726290909711 140726290909731"
                + " 140726290909731 140726290911211 " + exitCode + "\n";
    }

    @Test
    void a_zombie_tells_its_exit_code_and_signal() {
        assertEquals(Optional.of(new AgentProcess.Exit(7, null)), AgentProcess.zombieExit(stat("sh", 'Z', 89149, 7 << 8), 89149));
        assertEquals(Optional.of(new AgentProcess.Exit(null, 9)), AgentProcess.zombieExit(stat("sh", 'Z', 89149, 9), 89149));
        assertEquals(Optional.of(new AgentProcess.Exit(0, null)), AgentProcess.zombieExit(stat("a) Z (b", 'Z', 5, 0), 5));
    }

    @Test
    void a_live_process_or_another_one_with_the_pid_tells_nothing() {
        assertEquals(Optional.empty(), AgentProcess.zombieExit(stat("sh", 'S', 89149, 0), 89149));
        assertEquals(Optional.empty(), AgentProcess.zombieExit(stat("sh", 'Z', 89150, 7 << 8), 89149));
        assertEquals(Optional.empty(), AgentProcess.zombieExit("22922 (sh) Z 1 2 3", 89149)); // before Linux 3.5
    }

    @Test
    void the_keeper_is_the_sleep_outside_the_sandboxs_pid_namespace() {
        assertTrue(ExitKeeper.isKeeper("Name:\tsleep\nUmask:\t0022\nState:\tS (sleeping)\nNSpid:\t4242\n"));
        assertFalse(ExitKeeper.isKeeper("Name:\tsleep\nNSpid:\t4242\t3\n"), "a sleep of the agent's own");
        assertFalse(ExitKeeper.isKeeper("Name:\tcatatonit\nNSpid:\t4241\t1\n"));
        assertFalse(ExitKeeper.isKeeper("Name:\tpython3\nNSpid:\t4243\n"));
        assertFalse(ExitKeeper.isKeeper("Name:\tsleep\n"), "no NSpid line (Linux < 4.1): not recognised");
    }

    @Test
    void an_exit_is_known_when_it_has_a_code_or_a_signal() {
        assertFalse(AgentProcess.Exit.UNKNOWN.known());
        assertTrue(AgentProcess.Exit.of(new dev.agentd.linux.WaitStatus(1, 3, 0)).known());
        assertEquals(new AgentProcess.Exit(null, 9), AgentProcess.Exit.of(new dev.agentd.linux.WaitStatus(1, -1, 9)));
    }
}
