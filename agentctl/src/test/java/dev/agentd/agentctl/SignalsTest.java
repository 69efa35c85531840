package dev.agentd.agentctl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SignalsTest {

    @ParameterizedTest
    @CsvSource({"HUP,1", "INT,2", "QUIT,3", "KILL,9", "USR1,10", "SEGV,11", "USR2,12", "PIPE,13", "TERM,15",
        "CHLD,17", "CONT,18", "STOP,19", "WINCH,28", "SYS,31", "sigterm,15", " TERM ,15", "64,64"})
    void parse_namesAndNumbers(String s, int n) {
        assertEquals(n, Signals.parse(s));
    }

    @Test
    void parse_rejectsUnknownAndOutOfRange() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Signals.parse("FOO")).getMessage()
                .contains("use a name like TERM"));
        assertThrows(IllegalArgumentException.class, () -> Signals.parse("0"));
        assertThrows(IllegalArgumentException.class, () -> Signals.parse("65"));
        assertThrows(IllegalArgumentException.class, () -> Signals.parse("99999999999"));
        assertThrows(IllegalArgumentException.class, () -> Signals.parse(""));
    }

    @Test
    void name_prefixesSigOrFallsBackToNumber() {
        assertEquals("SIGKILL", Signals.name(9));
        assertEquals("SIGSYS", Signals.name(31));
        assertEquals("signal 40", Signals.name(40));
    }
}
