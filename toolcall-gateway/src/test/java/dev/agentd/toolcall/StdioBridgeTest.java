package dev.agentd.toolcall;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StdioBridgeTest {
    @TempDir
    Path dir;

    private static final String SESSION = String.join("\n",
            "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{\"protocolVersion\":\"2025-06-18\",\"capabilities\":{},\"clientInfo\":{\"name\":\"stdio\",\"version\":\"1\"}}}",
            "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}",
            "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/list\"}",
            "{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"tools/call\",\"params\":{\"name\":\"echo\",\"arguments\":{\"text\":\"über\"}}}") + "\n";

    private static List<JsonNode> parseLines(String out) throws Exception {
        List<JsonNode> msgs = new ArrayList<>();
        for (String l : out.split("\n")) {
            if (!l.isEmpty()) {
                msgs.add(RawClient.JSON.readTree(l));
            }
        }
        return msgs;
    }

    @Test
    void inProcess_forwardsASessionAndEndsCleanlyWhenStdinCloses() throws Exception {
        try (Harness h = new Harness(dir, ToolRegistry.of(TestTools.echo()), "echo")) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            int rc = StdioBridge.run(h.socket(), new ByteArrayInputStream(SESSION.getBytes(StandardCharsets.UTF_8)), out);
            assertEquals(0, rc);
            List<JsonNode> msgs = parseLines(out.toString(StandardCharsets.UTF_8));
            assertEquals(3, msgs.size());
            assertEquals("2025-06-18", msgs.get(0).at("/result/protocolVersion").asText());
            assertEquals("echo", msgs.get(1).at("/result/tools/0/name").asText());
            assertEquals("über", msgs.get(2).at("/result/content/0/text").asText());
        }
    }

    @Test
    void inProcess_exits1WhenTheGatewayGoesAway() throws Exception {
        Harness h = new Harness(dir, ToolRegistry.of(TestTools.echo()), "echo");
        PipedOutputStream feed = new PipedOutputStream();
        PipedInputStream stdin = new PipedInputStream(feed);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int[] rc = {-1};
        Thread t = new Thread(() -> {
            try {
                rc[0] = StdioBridge.run(h.socket(), stdin, out);
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        });
        t.start();
        feed.write("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}\n".getBytes(StandardCharsets.UTF_8));
        feed.flush();
        long end = System.currentTimeMillis() + 5000;
        while (out.size() == 0 && System.currentTimeMillis() < end) {
            Thread.sleep(10);
        }
        h.close();
        t.join(5000);
        assertEquals(1, rc[0]);
        assertEquals("{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{}}\n", out.toString(StandardCharsets.UTF_8));
        feed.close();
    }

    @Test
    void asAProcess_likeAnMcpStdioClientWouldRunIt() throws Exception {
        try (Harness h = new Harness(dir, ToolRegistry.of(TestTools.echo()), "echo")) {
            Path java = Path.of(System.getProperty("java.home"), "bin", "java");
            Process p = new ProcessBuilder(java.toString(), "-cp", System.getProperty("java.class.path"),
                    StdioBridge.class.getName(), h.socket().toString())
                    .redirectError(ProcessBuilder.Redirect.INHERIT)
                    .start();
            p.getOutputStream().write(SESSION.getBytes(StandardCharsets.UTF_8));
            p.getOutputStream().close(); // the client ends the session by closing stdin
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(p.waitFor(20, TimeUnit.SECONDS), "the bridge exits when stdin closes");
            assertEquals(0, p.exitValue());
            List<JsonNode> msgs = parseLines(out);
            assertEquals(List.of(1, 2, 3), msgs.stream().map(m -> m.get("id").asInt()).toList());
            assertEquals("über", msgs.get(2).at("/result/content/0/text").asText());
        }
    }
}
