package dev.agentd.checkpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CriuLogTest {

    private static final String DUMP_LOG = String.join("\n",
            "(00.000000) Version: 4.1.1 (gitid 0)",
            "(00.000123) Running on agentd Linux 6.12.0 #1 SMP x86_64",
            "(00.001000) Warn  (criu/kerndat.c:1103): Can't keep kdat cache on non-tempfs",
            "(00.002000) Dumping task (pid: 42)",
            "(00.003000) Error (criu/files-reg.c:1991): File tmp/x has bad size 10 (expect 3)",
            "(00.003100) Error (criu/cr-dump.c:1682): Dump files (pid: 42) failed with -1",
            "(00.004000) Unlock network",
            "(00.012345) Error (criu/mem.c:45): BUG at criu/mem.c:45",
            "(00.020000) Error: Dumping FAILED.",
            "");

    @Test
    void recognisesErrorAndWarningLines() {
        assertTrue(CriuLog.explainsFailure("(00.012345) Error (criu/mem.c:45): BUG at criu/mem.c:45"));
        assertTrue(CriuLog.explainsFailure("(00.001) Warn  (criu/kerndat.c:1): x"));
        assertTrue(CriuLog.explainsFailure("( 12.5) Error: Restoring FAILED."));
        assertTrue(CriuLog.explainsFailure("Error (criu/crtools.c:1): no such option"));
        assertFalse(CriuLog.explainsFailure("(00.002000) Dumping task (pid: 42)"));
        assertFalse(CriuLog.explainsFailure("(00.002000) Found ErrorHandler.class in map"));
    }

    @Test
    void summaryKeepsTheLastMatchingLinesInOrder(@TempDir Path tmp) throws Exception {
        Path log = tmp.resolve("dump.log");
        Files.writeString(log, DUMP_LOG);

        assertEquals(String.join("\n",
                        "(00.003100) Error (criu/cr-dump.c:1682): Dump files (pid: 42) failed with -1",
                        "(00.012345) Error (criu/mem.c:45): BUG at criu/mem.c:45",
                        "(00.020000) Error: Dumping FAILED."),
                CriuLog.summary(log, 3));
        assertEquals(5, CriuLog.summary(log, 100).lines().count());
    }

    @Test
    void missingLogGivesEmptySummary(@TempDir Path tmp) {
        assertEquals("", CriuLog.summary(tmp.resolve("never-written.log"), 5));
    }

    @Test
    void unreadableLogIsNotedNotThrown(@TempDir Path tmp) {
        String s = CriuLog.summary(tmp, 5); // a directory cannot be read as a log
        assertTrue(s.startsWith("(could not read CRIU log " + tmp), s);
    }

    @Test
    void toleratesBytesThatAreNotUtf8(@TempDir Path tmp) throws Exception {
        Path log = tmp.resolve("restore.log");
        byte[] bad = "(00.1) Error (criu/files-reg.c:1): Can't open file \u00ff\n".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
        Files.write(log, bad);
        assertTrue(CriuLog.summary(log, 1).startsWith("(00.1) Error (criu/files-reg.c:1): Can't open file"));
    }

    @Test
    void logWithoutErrorsGivesEmptySummary() throws Exception {
        assertEquals(List.of(), CriuLog.failureLines(new BufferedReader(new StringReader("(00.1) Dumping\n(00.2) done\n")), 5));
    }

    @Test
    void refusesNonPositiveMaxLines(@TempDir Path tmp) {
        assertThrows(IllegalArgumentException.class, () -> CriuLog.summary(tmp.resolve("x"), 0));
    }
}
