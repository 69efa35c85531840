package dev.agentd.checkpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class ProcessCommandRunnerTest {

    private final ProcessCommandRunner runner = new ProcessCommandRunner();

    @Test
    void collectsStdoutAndStderrAndExitCode() throws Exception {
        CommandRunner.Result r = runner.run(List.of("/bin/sh", "-c", "echo out; echo err >&2; exit 3"),
                Duration.ofSeconds(10));
        assertEquals(3, r.exitCode());
        assertTrue(r.output().contains("out\n") && r.output().contains("err\n"), r.output());
    }

    @Test
    void stdinIsEmpty() throws Exception {
        CommandRunner.Result r = runner.run(List.of("/bin/sh", "-c", "cat; echo done"), Duration.ofSeconds(10));
        assertEquals("done\n", r.output());
    }

    @Test
    void killsACommandThatTakesTooLong() {
        long start = System.nanoTime();
        IOException e = assertThrows(IOException.class,
                () -> runner.run(List.of("/bin/sleep", "30"), Duration.ofMillis(200)));
        assertTrue(e.getMessage().contains("/bin/sleep 30 did not finish within 200 ms"), e.getMessage());
        assertTrue(System.nanoTime() - start < 10_000_000_000L);
    }

    @Test
    void missingBinaryIsAnIOException() {
        assertThrows(IOException.class, () -> runner.run(List.of("/nonexistent/criu", "--version"), Duration.ofSeconds(5)));
    }
}
