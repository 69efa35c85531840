package dev.agentd.agentctl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class RunCommandTest {
    @TempDir
    Path dir;
    FakeAgentd agentd;
    Path manifest;

    @BeforeEach
    void start() throws IOException {
        agentd = new FakeAgentd(dir);
        manifest = dir.resolve("job.yaml");
        Files.writeString(manifest, "name: researcher\n");
        agentd.result("agent.spawn", Fixtures.RUNNING);
    }

    @AfterEach
    void stop() throws IOException {
        agentd.close();
        assertTrue(agentd.failures().isEmpty(), agentd.failures().toString());
    }

    @Test
    void run_streamsLogsThenExitsWithAgentsCode() {
        agentd.follow("agent.logs", List.of("hello", "world"), "{\"lines\": [], \"eof\": true}")
                .result("agent.wait", Fixtures.EXITED_3);

        var r = Cli.run(agentd.socket(), "run", manifest.toString());

        assertEquals(3, r.exit(), r::toString);
        assertEquals("hello\nworld\n", r.out());
        List<JsonNode> reqs = agentd.requests();
        assertEquals(List.of("agent.spawn", "agent.logs", "agent.wait"),
                reqs.stream().map(q -> q.path("method").asText()).toList());
        assertEquals(FakeAgentd.parse("{\"id\": \"a1b2c3d4\", \"follow\": true}"), reqs.get(1).path("params"));
        assertEquals(FakeAgentd.parse("{\"id\": \"a1b2c3d4\", \"timeout_seconds\": 0}"), reqs.get(2).path("params"));
        // One connection, ids in sequence.
        assertEquals(List.of(1, 2, 3), reqs.stream().map(q -> q.path("id").asInt()).toList());
    }

    @Test
    void run_killedBySignal_exits128PlusSignalAndSaysSo() {
        agentd.follow("agent.logs", List.of("working"), "{\"lines\": [], \"eof\": true}")
                .result("agent.wait", Fixtures.KILLED_9);

        var r = Cli.run(agentd.socket(), "run", manifest.toString());

        assertEquals(137, r.exit(), r::toString);
        assertTrue(r.err().endsWith("agentctl: agent 0badf00d killed by SIGKILL (9)\n"), r.err());
    }

    @Test
    void run_linesInFinalResponse_areNotLost() {
        agentd.follow("agent.logs", List.of("streamed"), "{\"lines\": [\"trailing\"], \"eof\": true}")
                .result("agent.wait", Fixtures.EXITED_3);

        var r = Cli.run(agentd.socket(), "run", manifest.toString());

        assertEquals("streamed\ntrailing\n", r.out());
    }

    @Test
    void run_json_streamsLineObjectsThenFinalRecord() {
        agentd.follow("agent.logs", List.of("hello", "world"), "{\"lines\": [], \"eof\": true}")
                .result("agent.wait", Fixtures.EXITED_3);

        var r = Cli.run(agentd.socket(), "run", "--json", manifest.toString());

        assertEquals(3, r.exit());
        String prefix = "{\"line\":\"hello\"}\n{\"line\":\"world\"}\n";
        assertTrue(r.out().startsWith(prefix), r.out());
        assertEquals(FakeAgentd.parse(Fixtures.EXITED_3), FakeAgentd.parse(r.out().substring(prefix.length())));
        assertEquals("", r.err());
    }

    @Test
    void run_printsEachLineBeforeTheNextArrives() throws Exception {
        // The fake holds back the second line until agentctl has flushed the
        // first: if agentctl buffered until the end, this would time out.
        CountDownLatch firstShown = new CountDownLatch(1);
        AtomicBoolean streamed = new AtomicBoolean();
        agentd.on("agent.logs", (req, reply) -> {
            reply.notify("agent.log", FakeAgentd.parse("{\"id\": \"a1b2c3d4\", \"line\": \"first\"}"));
            try {
                streamed.set(firstShown.await(10, TimeUnit.SECONDS));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            reply.notify("agent.log", FakeAgentd.parse("{\"id\": \"a1b2c3d4\", \"line\": \"second\"}"));
            reply.result(FakeAgentd.parse("{\"lines\": [], \"eof\": true}"));
        }).result("agent.wait", Fixtures.EXITED_3);
        StringWriter out = new StringWriter() {
            @Override
            public void flush() {
                if (toString().contains("first")) {
                    firstShown.countDown();
                }
            }
        };
        CommandLine cl = Main.commandLine(Clock.fixed(Cli.NOW, ZoneOffset.UTC), Map.of());
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(new StringWriter()));

        int exit = cl.execute("run", manifest.toString(), "--socket", agentd.socket().toString());

        assertEquals(3, exit);
        assertTrue(streamed.get(), "the first line was not flushed before the second was sent");
        assertEquals("first\nsecond\n", out.toString());
    }

    @Test
    void run_manifestInvalid_exits5WithoutFollowing() {
        agentd.error("agent.spawn", AdminException.MANIFEST_INVALID, "manifest has 1 error",
                "{\"errors\": [{\"line\": 2, \"column\": 5, \"key\": \"command\", \"message\": \"must not be empty\"}]}");

        var r = Cli.run(agentd.socket(), "run", manifest.toString());

        assertEquals(ExitCodes.MANIFEST_INVALID, r.exit());
        assertEquals(manifest + ":2:5: command: must not be empty\n", r.err());
        assertFalse(agentd.requests().stream().anyMatch(q -> q.path("method").asText().equals("agent.logs")));
    }
}
