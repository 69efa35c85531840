package dev.agentd.agentctl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.Writer;
import java.nio.file.Path;
import java.time.Clock;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class LogsCommandTest {
    @TempDir
    Path dir;
    FakeAgentd agentd;

    @BeforeEach
    void start() throws IOException {
        agentd = new FakeAgentd(dir);
    }

    @AfterEach
    void stop() throws IOException {
        agentd.close();
        assertTrue(agentd.failures().isEmpty(), agentd.failures().toString());
    }

    @Test
    void logs_tail_sendsTailAndPrintsLines() {
        agentd.result("agent.logs", "{\"lines\": [\"one\", \"two\"], \"eof\": false}");

        var r = Cli.run(agentd.socket(), "logs", "a1b2c3d4", "--tail", "20");

        assertEquals(0, r.exit(), r::toString);
        assertEquals("one\ntwo\n", r.out());
        assertEquals(FakeAgentd.parse("{\"id\": \"a1b2c3d4\", \"tail\": 20, \"follow\": false}"),
                agentd.onlyRequest().path("params"));
    }

    @Test
    void logs_withoutTail_leavesDefaultToAgentd() {
        agentd.result("agent.logs", "{\"lines\": [], \"eof\": true}");

        var r = Cli.run(agentd.socket(), "logs", "a1b2c3d4");

        assertEquals("", r.out());
        assertEquals(FakeAgentd.parse("{\"id\": \"a1b2c3d4\", \"follow\": false}"),
                agentd.onlyRequest().path("params"));
    }

    @Test
    void logs_follow_printsNotificationsUntilTheResponse() {
        agentd.follow("agent.logs", List.of("a", "b", "c"), "{\"lines\": [], \"eof\": true}");

        var r = Cli.run(agentd.socket(), "logs", "-f", "-n", "0", "a1b2c3d4");

        assertEquals(0, r.exit(), r::toString);
        assertEquals("a\nb\nc\n", r.out());
        assertEquals(FakeAgentd.parse("{\"id\": \"a1b2c3d4\", \"tail\": 0, \"follow\": true}"),
                agentd.onlyRequest().path("params"));
    }

    @Test
    void logs_followJson_printsJsonLinesThenResult() {
        agentd.follow("agent.logs", List.of("a"), "{\"lines\": [], \"eof\": true}");

        var r = Cli.run(agentd.socket(), "logs", "--follow", "--json", "a1b2c3d4");

        assertEquals("{\"line\":\"a\"}\n{\n  \"lines\": [],\n  \"eof\": true\n}\n", r.out());
    }

    @Test
    void logs_json_printsResult() {
        agentd.result("agent.logs", "{\"lines\": [\"one\"], \"eof\": false}");

        var r = Cli.run(agentd.socket(), "logs", "--json", "a1b2c3d4");

        assertEquals(FakeAgentd.parse("{\"lines\": [\"one\"], \"eof\": false}"), FakeAgentd.parse(r.out()));
    }

    @Test
    void logs_followIntoClosedPipe_stopsAndExits141() {
        agentd.follow("agent.logs", List.of("a", "b", "c"), "{\"lines\": [], \"eof\": true}");
        CommandLine cl = Main.commandLine(Clock.fixed(Cli.NOW, ZoneOffset.UTC), Map.of());
        StringWriter err = new StringWriter();
        cl.setOut(new PrintWriter(new Writer() {
            @Override
            public void write(char[] buf, int off, int len) throws IOException {
                throw new IOException("Broken pipe");
            }

            @Override
            public void flush() {}

            @Override
            public void close() {}
        }));
        cl.setErr(new PrintWriter(err));

        int exit = cl.execute("logs", "-f", "a1b2c3d4", "--socket", agentd.socket().toString());

        assertEquals(141, exit);
        assertEquals("", err.toString());
    }

    @Test
    void logs_negativeTail_isUsageError() {
        var r = Cli.run(agentd.socket(), "logs", "--tail", "-1", "a1b2c3d4");

        assertEquals(ExitCodes.USAGE, r.exit());
        assertTrue(agentd.requests().isEmpty());
    }
}
