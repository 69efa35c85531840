package dev.agentd.toolcall;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.agentd.linux.testing.Require;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** src/main/python/agentd_toolcall.py against a real gateway, run by /usr/bin/python3. */
class PythonClientTest {
    private static final Path PYTHON = Path.of("/usr/bin/python3");

    @TempDir
    Path dir;

    // Prints one line per step; between the phases it waits for "go" on stdin so the
    // test can restart the gateway under it.
    private static final String SCRIPT = String.join("\n",
            "import json, sys",
            "from agentd_toolcall import ToolcallClient, ToolcallError",
            "seen = []",
            "tc = ToolcallClient(sys.argv[1], on_notification=lambda m: seen.append(m['method']))",
            "print('version', tc.initialize_result['protocolVersion'])",
            "print('tools', ','.join(t['name'] for t in tc.list_tools()))",
            "r = tc.call_tool('echo', {'text': 'h\\u00e9llo \\u2028 \\U0001F600'})",
            "print('echo', json.dumps(r['content'][0]['text']), r['isError'])",
            "print('sum', tc.call_tool('add', {'a': 2, 'b': 3})['structuredContent']['sum'])",
            "try:",
            "    tc.call_tool('nope')",
            "except ToolcallError as e:",
            "    print('error', e.code, e.message)",
            "try:",
            "    tc.call_tool('add', {'a': 'x'})",
            "except ToolcallError as e:",
            "    print('invalid', e.code, len(e.data['errors']) > 0)",
            "sys.stdout.flush()",
            "sys.stdin.readline()",
            "print('after-restart', tc.call_tool('echo', {'text': 'again'})['content'][0]['text'])",
            "sys.stdout.flush()",
            "sys.stdin.readline()",
            "tc.ping()",
            "print('notified', seen)",
            "tc.close()",
            "");

    @Test
    void pythonClient_callsListsErrorsAndReconnects() throws Exception {
        Require.feature("python3", Files.isExecutable(PYTHON), PYTHON + " not found");
        Path script = dir.resolve("t.py");
        Files.writeString(script, SCRIPT);
        Path sockDir = Files.createDirectories(dir.resolve("run"));
        Harness h = new Harness(sockDir, ToolRegistry.of(TestTools.echo(), TestTools.add()), "echo", "add");
        ProcessBuilder pb = new ProcessBuilder(PYTHON.toString(), script.toString(), h.socket().toString())
                .redirectError(ProcessBuilder.Redirect.INHERIT);
        pb.environment().put("PYTHONPATH", Path.of("src/main/python").toAbsolutePath().toString());
        pb.environment().put("PYTHONIOENCODING", "utf-8");
        Process p = pb.start();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
             OutputStream in = p.getOutputStream()) {
            assertEquals("version 2025-11-25", out.readLine());
            assertEquals("tools add,echo", out.readLine());
            assertEquals("echo \"h\\u00e9llo \\u2028 \\ud83d\\ude00\" False", out.readLine());
            assertEquals("sum 5", out.readLine());
            assertEquals("error -32602 Unknown tool: nope", out.readLine());
            assertEquals("invalid -32602 True", out.readLine());
            Harness old = h;
            old.close();
            // The restart is between two calls. close() returns once the client's end
            // sees the connection closed, so its next request fails to send and goes to
            // the new gateway; were the old socket still open, the request would land in
            // it and be lost with it (then the client rightly says "may have run").
            assertEquals(0, old.gateway.connectionCount());
            h = new Harness(sockDir, ToolRegistry.of(TestTools.echo(), TestTools.add()), "echo", "add");
            Harness restarted = h;
            in.write("go\n".getBytes(StandardCharsets.UTF_8));
            in.flush();
            assertEquals("after-restart again", out.readLine());
            restarted.gateway.sendListChanged();
            in.write("go\n".getBytes(StandardCharsets.UTF_8));
            in.flush();
            assertEquals("notified ['notifications/tools/list_changed']", out.readLine());
            assertTrue(p.waitFor(10, TimeUnit.SECONDS));
            assertEquals(0, p.exitValue());
            assertEquals(1, restarted.records.size(), "the call after the restart was sent exactly once");
        } finally {
            p.destroyForcibly();
            h.close();
        }
    }
}
