package dev.agentd.tests.support;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A small Python program run inside agents: each argument is one operation
 * ({@code "read /path"}, {@code "exec /path"}, {@code "kill0 1234"}...), and
 * it prints one JSON line per operation:
 * {@code {"probe": "<the argument>", "result": "ok" | "<errno name>", "value": ...}}.
 * Operations run in order; a failing one does not stop the others.
 */
public final class Prober {
    public static final String SCRIPT = """
            import errno, json, os, signal, socket, subprocess, sys, time

            def lines(path):
                return open(path).read()

            def append(path):
                with open(path, "a") as f:
                    f.write("x")

            def create(path):
                with open(path, "x") as f:
                    f.write("x")

            def run(path):
                r = subprocess.run([path], capture_output=True, text=True, timeout=20)
                return [r.returncode, r.stdout.strip()]

            def connect_unix(path):
                s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                s.settimeout(3)
                s.connect(path.replace("@", "\\0", 1) if path.startswith("@") else path)
                s.close()

            def connect_tcp(port):
                socket.create_connection(("127.0.0.1", int(port)), timeout=3).close()

            def proc_roots(path):
                out = []
                for p in os.listdir("/proc"):
                    if p.isdigit():
                        try:
                            open(f"/proc/{p}/root{path}").read()
                            out.append([int(p), "ok"])
                        except OSError as e:
                            out.append([int(p), errno.errorcode.get(e.errno, str(e.errno))])
                return out

            def procs(_=None):
                return sorted(int(p) for p in os.listdir("/proc") if p.isdigit())

            OPS = {
                "read": lines,
                "write": append,
                "create": create,
                "exec": run,
                "list": lambda p: sorted(os.listdir(p)),
                "exists": lambda p: os.path.lexists(p),
                "symlink": lambda src, dst: os.symlink(src, dst),
                "link": lambda src, dst: os.link(src, dst),
                "kill0": lambda pid: os.kill(int(pid), 0),
                "term": lambda pid: os.kill(int(pid), signal.SIGTERM),
                "unix": connect_unix,
                "tcp": connect_tcp,
                "procs": procs,
                "procroots": proc_roots,
                "uid": lambda: os.getuid(),
            }

            def do(arg):
                op, *params = arg.split(" ")
                try:
                    v = OPS[op](*params)
                    return {"probe": arg, "result": "ok", "value": v}
                except OSError as e:
                    return {"probe": arg, "result": errno.errorcode.get(e.errno, str(e.errno)), "value": str(e)}
                except Exception as e:
                    return {"probe": arg, "result": type(e).__name__, "value": str(e)}

            for arg in sys.argv[1:]:
                print(json.dumps(do(arg)), flush=True)
            print("prober done", flush=True)
            """;

    private Prober() {}

    /** The prober's results in {@code log}, by operation. */
    public static Map<String, JsonNode> results(List<String> log) throws IOException {
        Map<String, JsonNode> out = new LinkedHashMap<>();
        for (String l : log) {
            if (l.startsWith("{\"probe\"")) {
                JsonNode n = Rpc.JSON.readTree(l);
                out.put(n.get("probe").asText(), n);
            }
        }
        return out;
    }
}
