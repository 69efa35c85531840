package dev.agentd.tests.toolcall;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.agentd.tests.support.Manifests;
import dev.agentd.tests.support.Rpc;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A real agent remote-controlled by the test: it runs {@link #SCRIPT} (Python,
 * inside its sandbox), which uses the repository's own client
 * ({@code agentd_toolcall.py}, granted read-only) to talk to
 * {@code /run/agentd/toolcall.sock}.
 *
 * <p>Commands go in as files {@code /workspace/cmd/N.json} (the test writes them
 * into the agent's workspace on the host, atomically); each answer comes out as
 * one log line {@code DRIVER {"n": N, ...}}: {@code result} (the JSON-RPC
 * result), {@code error} ({@code code}, {@code message}, {@code data} of a
 * JSON-RPC error) or {@code exception} (a Python exception, e.g. a lost
 * connection). Commands run one after another, on named connections that
 * stay open between commands ({@code conn}, default {@code main}).
 */
final class Driver {
    /** The Python client, granted to every driver agent read-only (Maven runs tests in the module directory). */
    static final Path CLIENT_DIR = Path.of(System.getProperty("user.dir")).resolve("../toolcall-gateway/src/main/python")
            .toAbsolutePath().normalize();
    static final Duration DEFAULT_WAIT = Duration.ofSeconds(60);

    static final String SCRIPT = """
            import json, os, socket, sys, time, traceback
            sys.path.insert(0, sys.argv[1])
            from agentd_toolcall import ToolcallClient, ToolcallError

            def out(o):
                print("DRIVER " + json.dumps(o), flush=True)

            clients = {}
            state = {}  # kept between "py" commands

            def client(name="main"):
                c = clients.get(name)
                if c is None:
                    notes = []
                    c = ToolcallClient(on_notification=notes.append)
                    c.notes = notes
                    clients[name] = c
                return c

            out({"ready": True, "pid": os.getpid(), "uid": os.getuid()})
            n = 1
            while True:
                path = "/workspace/cmd/%d.json" % n
                if not os.path.exists(path):
                    time.sleep(0.01)
                    continue
                with open(path) as f:
                    cmd = json.load(f)
                r = {"n": n}
                conn = cmd.get("conn", "main")
                try:
                    op = cmd["op"]
                    if op == "call":
                        r["result"] = client(conn).call_tool(cmd["name"], cmd.get("arguments", {}))
                    elif op == "list":
                        r["result"] = client(conn).request("tools/list")
                    elif op == "ping":
                        r["result"] = client(conn).request("ping")
                    elif op == "initialize":
                        r["result"] = client(conn).initialize_result
                    elif op == "notes":
                        client(conn).request("ping")  # reads what the server sent meanwhile
                        r["result"] = client(conn).notes
                    elif op == "close":
                        c = clients.pop(conn, None)
                        if c is not None:
                            c.close()
                        r["result"] = {}
                    elif op == "py":
                        g = {"client": client, "ToolcallClient": ToolcallClient, "ToolcallError": ToolcallError,
                             "json": json, "os": os, "socket": socket, "sys": sys, "time": time, "out": out, "state": state}
                        exec(cmd["code"], g)
                        r["result"] = g.get("result")
                    elif op == "exit":
                        out(r)
                        sys.exit(cmd.get("code", 0))
                    else:
                        r["exception"] = "unknown op " + op
                except ToolcallError as e:
                    r["error"] = {"code": e.code, "message": e.message, "data": e.data}
                except SystemExit:
                    raise
                except BaseException as e:
                    r["exception"] = type(e).__name__ + ": " + str(e)
                    r["traceback"] = traceback.format_exc()
                out(r)
                n += 1
            """;

    final Agentd agentd;
    final String id;
    private int next = 1;

    private Driver(Agentd agentd, String id) {
        this.agentd = agentd;
        this.id = id;
    }

    /** Spawns a driver agent and waits until it runs its loop. */
    static Driver spawn(Agentd agentd, Spec spec) throws IOException {
        String id = agentd.spawn(spec.yaml()).get("id").asText();
        return attach(agentd, id);
    }

    /** An agent already started (a child from spawn_agent) that runs {@link #SCRIPT}. */
    static Driver attach(Agentd agentd, String id) throws IOException {
        Driver d = new Driver(agentd, id);
        d.awaitLine(l -> l.startsWith("DRIVER {\"ready\""), DEFAULT_WAIT);
        return d;
    }

    /** Queues a command; its answer comes with {@link #await(int)}. */
    int send(Map<String, ?> cmd) throws IOException {
        Path dir = agentd.workspace(id).resolve("cmd");
        if (!Files.isDirectory(dir)) {
            Files.createDirectories(dir);
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
        int n = next++;
        Path tmp = dir.resolve("." + n + ".tmp");
        Files.writeString(tmp, Rpc.JSON.writeValueAsString(cmd));
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-r--r--"));
        Files.move(tmp, dir.resolve(n + ".json"), StandardCopyOption.ATOMIC_MOVE);
        return n;
    }

    JsonNode await(int n) throws IOException {
        return await(n, DEFAULT_WAIT);
    }

    JsonNode await(int n, Duration timeout) throws IOException {
        String prefix = "DRIVER {\"n\": " + n + ",";
        String line = awaitLine(l -> l.startsWith(prefix) || l.equals("DRIVER {\"n\": " + n + "}"), timeout);
        return Rpc.JSON.readTree(line.substring("DRIVER ".length()));
    }

    /** Whether command {@code n} has been answered yet. */
    boolean answered(int n) throws IOException {
        String prefix = "DRIVER {\"n\": " + n + ",";
        return log().stream().anyMatch(l -> l.startsWith(prefix));
    }

    JsonNode run(Map<String, ?> cmd) throws IOException {
        return await(send(cmd));
    }

    JsonNode run(Map<String, ?> cmd, Duration timeout) throws IOException {
        return await(send(cmd), timeout);
    }

    /** {@code tools/call}; the driver's answer ({@code result}, {@code error} or {@code exception}). */
    JsonNode call(String tool, Object arguments) throws IOException {
        return run(cmd("op", "call", "name", tool, "arguments", arguments));
    }

    JsonNode call(String conn, String tool, Object arguments) throws IOException {
        return run(cmd("op", "call", "conn", conn, "name", tool, "arguments", arguments));
    }

    /** {@code tools/call} that must succeed ({@code isError} false); its result. */
    JsonNode callOk(String tool, Object arguments) throws IOException {
        JsonNode r = call(tool, arguments);
        assertTrue(r.has("result"), tool + " " + arguments + ": expected a result, got " + r);
        assertFalse(r.path("result").path("isError").asBoolean(true), tool + " " + arguments + ": " + r);
        return r.get("result");
    }

    /** {@code tools/call} whose result must be {@code isError}; the result's text. */
    String callDenied(String tool, Object arguments) throws IOException {
        JsonNode r = call(tool, arguments);
        assertTrue(r.has("result"), tool + " " + arguments + ": expected an isError result, got " + r);
        assertTrue(r.path("result").path("isError").asBoolean(false), tool + " " + arguments + " should fail: " + r);
        return text(r.get("result"));
    }

    /**
     * Runs Python code in the agent (globals: client(conn), json, os, socket, time, out, and {@code state}, a
     * dict kept between commands); returns what the code left in {@code result}.
     */
    JsonNode py(String code) throws IOException {
        return py(code, DEFAULT_WAIT);
    }

    JsonNode py(String code, Duration timeout) throws IOException {
        JsonNode r = run(cmd("op", "py", "code", code), timeout);
        assertFalse(r.has("exception"), "python in agent " + id + " failed: " + r.path("exception").asText() + "\n"
                + r.path("traceback").asText());
        return r.path("result");
    }

    /** The first text block of a CallToolResult. */
    static String text(JsonNode result) {
        for (JsonNode b : result.path("content")) {
            if ("text".equals(b.path("type").asText())) {
                return b.path("text").asText();
            }
        }
        return "";
    }

    static Map<String, Object> cmd(Object... kv) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1]);
        }
        return m;
    }

    List<String> log() throws IOException {
        try {
            return Files.readAllLines(agentd.logFile(id), StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return List.of();
        } catch (java.nio.charset.MalformedInputException e) {
            List<String> out = new ArrayList<>();
            for (String l : new String(Files.readAllBytes(agentd.logFile(id)), StandardCharsets.ISO_8859_1).split("\n")) {
                out.add(l);
            }
            return out;
        }
    }

    String awaitLine(java.util.function.Predicate<String> p, Duration timeout) throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            List<String> lines = log();
            for (String l : lines) {
                if (p.test(l)) {
                    return l;
                }
            }
            if (System.nanoTime() > deadline) {
                String status;
                try {
                    status = agentd.status(id).toString();
                } catch (IOException | RuntimeException e) {
                    status = "(status unavailable: " + e + ")";
                }
                throw new AssertionError("agent " + id + " did not log the expected line within " + timeout + "; status "
                        + status + "; log:\n" + String.join("\n", lines));
            }
            Agentd.sleep(10);
        }
    }

    /** A driver agent's manifest. */
    static final class Spec {
        private final String name;
        private final List<String> caps = new ArrayList<>();
        private final List<String> approvals = new ArrayList<>();
        private final List<String> read = new ArrayList<>(List.of(CLIENT_DIR + "/**"));
        private final List<String> write = new ArrayList<>();
        private String extra = "";

        Spec(String name) {
            this.name = name;
        }

        static Spec named(String base) {
            return new Spec(Manifests.name(base));
        }

        String name() {
            return name;
        }

        /** One {@code capabilities} entry as a YAML flow mapping, e.g. {@code tool: echo, max_invocations: 5}. */
        Spec cap(String flowMapping) {
            caps.add(flowMapping);
            return this;
        }

        /** One {@code approval_required} entry: a tool name, or a flow mapping. */
        Spec approval(String entry) {
            approvals.add(entry);
            return this;
        }

        Spec read(String grant) {
            read.add(grant);
            return this;
        }

        Spec write(String grant) {
            write.add(grant);
            return this;
        }

        /** More top-level YAML. */
        Spec extra(String yaml) {
            extra = extra + yaml.stripTrailing() + "\n";
            return this;
        }

        String yaml() {
            StringBuilder sb = new StringBuilder();
            sb.append("filesystem:\n");
            sb.append("  read: [").append(String.join(", ", read.stream().map(Manifests::quote).toList())).append("]\n");
            if (!write.isEmpty()) {
                sb.append("  write: [").append(String.join(", ", write.stream().map(Manifests::quote).toList())).append("]\n");
            }
            if (!caps.isEmpty()) {
                sb.append("capabilities:\n");
                caps.forEach(c -> sb.append("  - {").append(c).append("}\n"));
            }
            if (!approvals.isEmpty()) {
                sb.append("approval_required:\n");
                approvals.forEach(a -> sb.append("  - ").append(a.contains(":") ? "{" + a + "}" : a).append('\n'));
            }
            sb.append(extra);
            return Manifests.of(name, sb.toString(), List.of("/usr/bin/python3", "-c", SCRIPT, CLIENT_DIR.toString()));
        }
    }
}
