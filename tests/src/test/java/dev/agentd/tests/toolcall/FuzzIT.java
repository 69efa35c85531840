package dev.agentd.tests.toolcall;

import static dev.agentd.tests.toolcall.Driver.cmd;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.agentd.tests.support.Kernel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A hostile agent fuzzes its own toolcall socket from inside its sandbox:
 * malformed JSON, a 2 MiB line, 10 000-deep nesting, a slow writer, a client
 * that never reads, 200 connections at once. agentd must not crash, the
 * fuzzer's gateway must keep answering, and a second agent's calls, made the
 * whole time, must all succeed. Nothing here measures time.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class FuzzIT {
    static Agentd agentd;

    @BeforeAll
    static void start() throws Exception {
        Kernel.requireAgentd();
        agentd = Agentd.inProcess();
    }

    @AfterAll
    static void stop() {
        if (agentd != null) {
            agentd.close();
        }
    }

    /** The second agent: echo calls, paced well below the gateway's rate limit, until /workspace/stop appears. */
    static final String STEADY = """
            ok, bad, i = 0, [], 0
            c = client("steady")
            while not os.path.exists("/workspace/stop"):
                i += 1
                text = "steady %d" % i
                try:
                    r = c.call_tool("echo", {"text": text})
                    if r.get("isError") or r["content"][0]["text"] != text:
                        bad.append(r)
                    else:
                        ok += 1
                except Exception as e:
                    bad.append("%s: %s" % (type(e).__name__, e))
                if i == 3:
                    out({"steady": "running"})
                time.sleep(0.02)
            result = {"ok": ok, "bad": bad[:10], "bad_count": len(bad)}
            """;

    static final String FUZZ = """
            import errno, select
            P = "/run/agentd/toolcall.sock"
            res = {}

            def conn(timeout=20):
                # A full accept backlog (EAGAIN) is this client's own problem: wait for room.
                deadline = time.time() + timeout
                while True:
                    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                    s.settimeout(timeout)
                    try:
                        s.connect(P)
                        return s
                    except BlockingIOError:
                        s.close()
                        if time.time() > deadline:
                            raise
                        time.sleep(0.005)

            def readline(s):
                buf = b""
                while b"\\n" not in buf:
                    try:
                        c = s.recv(65536)
                    except (ConnectionResetError, socket.timeout) as e:
                        return ("EXC", type(e).__name__)
                    if not c:
                        return None
                    buf += c
                return json.loads(buf.split(b"\\n", 1)[0])

            def exchange(s, raw):
                s.sendall(raw + b"\\n")
                return readline(s)

            def code(r):
                return r["error"]["code"] if isinstance(r, dict) and "error" in r else r

            PING = b'{"jsonrpc":"2.0","id":"p","method":"ping"}'

            # 1. Malformed messages on one connection: each gets its JSON-RPC error, the connection stays.
            s = conn()
            bad = [b"{", b"not json at all", b"\\xff\\xfe\\x00\\x01", b"null", b"42", b"[]",
                   b'[{"jsonrpc":"2.0","id":1,"method":"ping"}]',
                   b'{"jsonrpc":"1.0","id":1,"method":"ping"}',
                   b'{"jsonrpc":"2.0","id":null,"method":"ping"}',
                   b'{"jsonrpc":"2.0","id":{"x":1},"method":"ping"}',
                   b'{"jsonrpc":"2.0","id":1,"method":"ping","id":2}',
                   b'{"jsonrpc":"2.0","id":1,"method":"ping"} {"trailing":1}',
                   b'{"jsonrpc":"2.0","id":1,"method":"no/such/method"}',
                   b'{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"echo","arguments":"text"}}',
                   b'{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":7}}',
                   b'{"jsonrpc":"2.0","id":1,"method":"ping","params":' + b"9" * 5000 + b"}",
                   b'"' + b"a" * 200000 + b'"']
            res["malformed"] = [code(exchange(s, b)) for b in bad]
            res["malformed_then_ping"] = exchange(s, PING)

            # 2. 10 000-deep nesting, in the params and in a tool's arguments.
            deep = b"[" * 10000 + b"]" * 10000
            res["deep"] = [code(exchange(s, b'{"jsonrpc":"2.0","id":2,"method":"ping","params":{"a":' + deep + b"}}")),
                           code(exchange(s, b'{"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"echo","arguments":{"text":' + deep + b"}}}"))]
            res["deep_then_ping"] = exchange(s, PING)
            s.close()

            # 3. A slow-loris holds half a line for the whole fuzz; finished at the end.
            loris = conn()
            loris.sendall(b'{"jsonrpc":"2.0","id":"loris",')

            # 4. A 2 MiB line: refused (-32600) and the connection closed.
            s = conn()
            line = b'{"jsonrpc":"2.0","id":4,"method":"tools/call","params":{"name":"echo","arguments":{"text":"' + b"x" * (2 << 20) + b'"}}}\\n'
            try:
                s.sendall(line)
                res["long_sent"] = "all"
            except OSError as e:
                res["long_sent"] = errno.errorcode.get(e.errno, str(e.errno))
            r = readline(s)
            res["long"] = code(r)
            res["long_then"] = readline(s) if isinstance(r, dict) else r
            s.close()

            # 5. A slow writer: one byte at a time.
            s = conn()
            for b in PING + b"\\n":
                s.sendall(bytes([b]))
                time.sleep(0.005)
            res["slow"] = readline(s)
            s.close()

            # 6. A client that sends and never reads: the gateway drops it rather than buffer without bound.
            s = conn()
            big = "y" * 100000
            sent = 0
            for i in range(80):
                msg = (json.dumps({"jsonrpc": "2.0", "id": i, "method": "tools/call",
                                   "params": {"name": "echo", "arguments": {"text": big}}}) + "\\n").encode()
                try:
                    s.sendall(msg)
                    sent += 1
                except OSError as e:
                    res["nonreader_send_error"] = type(e).__name__ + ": " + str(e)
                    break
                time.sleep(0.01)
            time.sleep(2)
            answers, eof = 0, False
            buf = b""
            while True:
                try:
                    c = s.recv(1 << 20)
                except (ConnectionResetError, socket.timeout):
                    eof = True
                    break
                if not c:
                    eof = True
                    break
                buf += c
                while b"\\n" in buf:
                    _, buf = buf.split(b"\\n", 1)
                    answers += 1
                if answers >= sent:
                    break
            res["nonreader"] = {"sent": sent, "answers": answers, "closed_by_server": eof}
            s.close()

            # 7. 200 connections at once: beyond the per-agent limit each is told -32000 and closed.
            socks, connect_errors = [], []
            for i in range(200):
                try:
                    socks.append(conn(30))
                except OSError as e:
                    connect_errors.append(errno.errorcode.get(e.errno, str(e.errno)))
            time.sleep(1)
            refused, silent, other = 0, 0, []
            for x in socks:
                x.setblocking(False)
                try:
                    d = x.recv(4096)
                    if b"-32000" in d:
                        refused += 1
                    elif d == b"":
                        other.append("eof")
                    else:
                        other.append(d[:100].decode("utf-8", "replace"))
                except BlockingIOError:
                    silent += 1
                except OSError as e:
                    other.append(errno.errorcode.get(e.errno, str(e.errno)))
            res["burst"] = {"opened": len(socks), "connect_errors": connect_errors[:5], "refused": refused,
                            "accepted": silent, "other": other[:5]}
            for x in socks:
                x.close()

            # 8. Connect and hang up, 500 times.
            for i in range(500):
                conn(10).close()

            # 9. The slow-loris finishes its line and is answered.
            loris.sendall(b'"method":"ping"}\\n')
            res["loris"] = readline(loris)
            loris.close()

            # 10. Afterwards: a fresh connection is served (retrying while the closed ones are cleaned up).
            deadline = time.time() + 20
            while True:
                try:
                    s = conn(5)
                    r = exchange(s, PING)
                    s.close()
                    if isinstance(r, dict) and "result" in r:
                        res["after"] = r
                        break
                except OSError as e:
                    r = str(e)
                if time.time() > deadline:
                    res["after"] = r
                    break
                time.sleep(0.1)
            result = res
            """;

    /**
     * A number beyond double range ({@code 1e999999}) in a tool's arguments is
     * valid JSON; the gateway must refuse it as such a request (its id, a
     * -32602/-32700 code, audited), not fail inside dispatch.
     */
    @Test
    void an_out_of_range_number_in_arguments_is_refused_for_that_request() throws Exception {
        Driver d = Driver.spawn(agentd, Driver.Spec.named("bignum").cap("tool: echo"));
        JsonNode r = d.py("""
                s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                s.settimeout(20)
                s.connect("/run/agentd/toolcall.sock")
                s.sendall(b'{"jsonrpc":"2.0","id":41,"method":"tools/call","params":{"name":"echo","arguments":{"text":1e999999}}}\\n')
                buf = b""
                while b"\\n" not in buf:
                    buf += s.recv(65536)
                result = json.loads(buf.split(b"\\n")[0])
                s.close()
                """);
        assertEquals(41, r.path("id").asInt(-1), "the answer must carry the request's id: " + r);
        int code = r.path("error").path("code").asInt();
        assertTrue(code == -32602 || code == -32700, "invalid arguments or a parse error, not " + r);
    }

    @Test
    void a_fuzzing_agent_hurts_nobody_but_itself() throws Exception {
        Driver steady = Driver.spawn(agentd, Driver.Spec.named("steady").cap("tool: echo"));
        Driver fuzzer = Driver.spawn(agentd, Driver.Spec.named("fuzzer").cap("tool: echo"));

        int steadyRun = steady.send(cmd("op", "py", "code", STEADY));
        steady.awaitLine(l -> l.contains("{\"steady\": \"running\"}"), Duration.ofSeconds(30));

        JsonNode res = fuzzer.py(FUZZ, Duration.ofSeconds(180));
        String ctx = res.toPrettyString();

        // The second agent's calls went on, all of them fine.
        Path stop = agentd.workspace(steady.id).resolve("stop");
        Files.writeString(stop, "stop");
        JsonNode s = steady.await(steadyRun, Duration.ofSeconds(60)).path("result");
        assertEquals(0, s.path("bad_count").asInt(-1), "the steady agent's calls failed during the fuzz: " + s);
        assertTrue(s.path("ok").asInt() > 0, s.toString());

        // 1. malformed: each its own error, the connection kept.
        Set<Integer> codes = Set.of(-32700, -32600, -32601, -32602);
        for (JsonNode c : res.path("malformed")) {
            assertTrue(c.isInt() && codes.contains(c.asInt()), "expected a JSON-RPC error code, got " + c + ": " + ctx);
        }
        assertEquals(-32700, res.path("malformed").path(0).asInt(), ctx);
        assertEquals(-32601, res.path("malformed").path(12).asInt(), "unknown method: " + ctx);
        assertTrue(res.path("malformed_then_ping").has("result"), ctx);
        // 2. deep nesting: a parse error, not a stack overflow.
        assertEquals(-32700, res.path("deep").path(0).asInt(), ctx);
        assertEquals(-32700, res.path("deep").path(1).asInt(), ctx);
        assertTrue(res.path("deep_then_ping").has("result"), ctx);
        // 4. the 2 MiB line: refused; the connection ends.
        JsonNode longLine = res.path("long");
        assertTrue(longLine.asInt() == -32600 || longLine.isArray() || longLine.isNull(),
                "an over-long line is refused and the connection closed: " + ctx);
        if (longLine.asInt() == -32600) {
            assertTrue(res.path("long_then").isNull() || res.path("long_then").isArray(), "closed after the error: " + ctx);
        }
        // 5. slow writer: answered.
        assertTrue(res.path("slow").has("result"), ctx);
        // 6. a client that never reads loses its connection.
        assertTrue(res.path("nonreader").path("closed_by_server").asBoolean(), ctx);
        assertTrue(res.path("nonreader").path("answers").asInt() < res.path("nonreader").path("sent").asInt(), ctx);
        // 7. the connection limit: at most 16 served at once, the rest told why.
        JsonNode burst = res.path("burst");
        assertTrue(burst.path("accepted").asInt() <= 16, ctx);
        assertEquals(burst.path("opened").asInt(), burst.path("accepted").asInt() + burst.path("refused").asInt(), ctx);
        assertTrue(burst.path("refused").asInt() >= 200 - 16 - burst.path("connect_errors").size(), ctx);
        // 9, 10. still serving.
        assertEquals("loris", res.path("loris").path("id").asText(), ctx);
        assertTrue(res.path("after").has("result"), ctx);

        // The fuzzer's gateway answers its regular client; agentd is fine and both agents still run.
        assertTrue(fuzzer.run(cmd("op", "ping", "conn", "after")).has("result"));
        assertEquals("still here", Driver.text(fuzzer.callOk("echo", Map.of("text", "still here"))));
        assertTrue(agentd.call("daemon.status", Map.of()).path("agents_running").asInt() >= 2);
        for (Driver d : new Driver[] {steady, fuzzer}) {
            assertEquals("running", agentd.status(d.id).path("state").asText());
        }
        assertFalse(agentd.auditRecords(fuzzer.id).isEmpty());
        assertTrue(agentd.auditVerify().path("ok").asBoolean(), agentd.auditVerify().toString());
    }
}
