"""Client for an agentd agent's toolcall() socket. Python 3.6+, standard library only.

The socket speaks MCP over newline-delimited JSON-RPC 2.0. Usage::

    from agentd_toolcall import ToolcallClient
    with ToolcallClient() as tc:                       # /run/agentd/toolcall.sock
        for tool in tc.list_tools():
            print(tool["name"])
        result = tc.call_tool("echo", {"text": "hi"})  # MCP CallToolResult dict
        if result["isError"]:
            ...

Denials and tool failures are results with ``isError: true``; an unknown tool or
arguments that do not match its schema raise ``ToolcallError`` (a JSON-RPC error).

Reconnection: when the connection dropped between calls (agentd restarted the
gateway), the next call reconnects and re-initializes. A request is re-sent only
when its write failed -- the server acts only on complete lines, so it never ran.
If the connection drops after the request was sent, ``ConnectionError`` says the
call may have run; it is not retried.
"""

import json
import socket
import time

__all__ = ["ToolcallClient", "ToolcallError", "DEFAULT_SOCKET", "PROTOCOL_VERSION"]

DEFAULT_SOCKET = "/run/agentd/toolcall.sock"
PROTOCOL_VERSION = "2025-11-25"
_MAX_LINE = 16 * 1024 * 1024  # above the gateway's 1 MiB result cap, bounded against a broken peer


class ToolcallError(Exception):
    """A JSON-RPC error answer (-32602 unknown tool / invalid arguments, -32601, ...)."""

    def __init__(self, code, message, data=None):
        super().__init__("%s (JSON-RPC error %d)" % (message, code))
        self.code = code
        self.message = message
        self.data = data


class ToolcallClient:
    """Blocking client; one request at a time."""

    def __init__(self, path=DEFAULT_SOCKET, connect_timeout=5.0, on_notification=None):
        self.path = path
        self.connect_timeout = connect_timeout
        self.on_notification = on_notification or (lambda message: None)
        self.initialize_result = None
        self._sock = None
        self._buf = b""
        self._next_id = 1
        self._ensure_connected()

    # -- public API ---------------------------------------------------------

    def initialize(self):
        """Handshakes again on the current connection; returns the server's answer."""
        self._ensure_connected()
        return self._handshake()

    def ping(self):
        self.request("ping")

    def list_tools(self):
        """The tools this agent may call: dicts with name, description, inputSchema (, outputSchema)."""
        return self.request("tools/list").get("tools", [])

    def call_tool(self, name, arguments=None):
        """Calls a tool; returns the CallToolResult dict (content, structuredContent?, isError)."""
        return self.request("tools/call", {"name": name, "arguments": arguments or {}})

    def request(self, method, params=None):
        """Any request; returns its result."""
        fresh = self._ensure_connected()
        rid = self._take_id()
        line = self._line(rid, method, params)
        try:
            self._sock.sendall(line)
        except OSError:
            self._drop()
            if fresh:
                raise
            # The old connection was dead (EPIPE): the newline never went out, so the
            # server did not act on any of it. Safe to send again.
            self._ensure_connected()
            try:
                self._sock.sendall(line)
            except OSError:
                self._drop()
                raise
        try:
            return self._await(rid)
        except ToolcallError:
            raise
        except (OSError, ValueError) as e:
            self._drop()
            raise ConnectionError("%s was sent but the connection was lost before its answer "
                                  "(it may have run): %s" % (method, e))

    def close(self):
        self._drop()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    # -- connection ---------------------------------------------------------

    def _ensure_connected(self):
        """Returns True when it had to (re)connect."""
        if self._sock is not None:
            return False
        deadline = time.monotonic() + self.connect_timeout
        while True:
            s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            try:
                s.connect(self.path)
                break
            except OSError as e:
                s.close()
                if time.monotonic() > deadline:
                    raise ConnectionError("cannot connect to %s: %s" % (self.path, e))
                time.sleep(0.05)  # the gateway may be restarting
        self._sock = s
        self._buf = b""
        try:
            self._handshake()
        except Exception:
            self._drop()
            raise
        return True

    def _handshake(self):
        rid = self._take_id()
        self._sock.sendall(self._line(rid, "initialize", {
            "protocolVersion": PROTOCOL_VERSION,
            "capabilities": {},
            "clientInfo": {"name": "agentd_toolcall.py", "version": "0.1.0"},
        }))
        self.initialize_result = self._await(rid)
        self._sock.sendall(self._encode({"jsonrpc": "2.0", "method": "notifications/initialized"}))
        return self.initialize_result

    def _take_id(self):
        rid = self._next_id
        self._next_id += 1
        return rid

    def _line(self, rid, method, params):
        msg = {"jsonrpc": "2.0", "id": rid, "method": method}
        if params is not None:
            msg["params"] = params
        return self._encode(msg)

    @staticmethod
    def _encode(msg):
        # ensure_ascii keeps every line pure ASCII: no raw U+2028 or invalid surrogates on the wire.
        return (json.dumps(msg, separators=(",", ":"), ensure_ascii=True) + "\n").encode("ascii")

    def _await(self, rid):
        while True:
            msg = json.loads(self._read_line().decode("utf-8"))
            if not isinstance(msg, dict):
                continue
            if "method" in msg:
                if "id" not in msg:
                    self.on_notification(msg)
                continue  # the gateway sends no requests
            if msg.get("id") != rid:
                if msg.get("id") is None and "error" in msg:
                    raise ConnectionError("server error: %s" % msg["error"].get("message"))
                continue
            if "error" in msg:
                e = msg["error"]
                raise ToolcallError(e.get("code", 0), e.get("message", ""), e.get("data"))
            return msg.get("result", {})

    def _read_line(self):
        while True:
            i = self._buf.find(b"\n")
            if i >= 0:
                line, self._buf = self._buf[:i], self._buf[i + 1:]
                return line
            if len(self._buf) > _MAX_LINE:
                raise ValueError("answer longer than %d bytes" % _MAX_LINE)
            chunk = self._sock.recv(65536)
            if not chunk:
                raise ConnectionError("connection closed by the server")
            self._buf += chunk

    def _drop(self):
        if self._sock is not None:
            try:
                self._sock.close()
            except OSError:
                pass
        self._sock = None
        self._buf = b""


def bridge(path=DEFAULT_SOCKET, stdin=None, stdout=None):
    """Joins stdin and stdout to the socket, line by line, until stdin ends.

    Any stdio MCP client can use the socket unmodified through this:
    configure its server command as ``python3 /run/agentd/agentd_toolcall.py bridge``.
    """
    import sys
    import threading
    stdin = stdin or sys.stdin.buffer
    stdout = stdout or sys.stdout.buffer
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.connect(path)

    def pump_out():
        f = sock.makefile("rb")
        for line in f:
            stdout.write(line)
            stdout.flush()

    t = threading.Thread(target=pump_out, daemon=True)
    t.start()
    for line in stdin:
        sock.sendall(line if line.endswith(b"\n") else line + b"\n")
    try:
        sock.shutdown(socket.SHUT_WR)
    except OSError:
        pass
    t.join()
    sock.close()


if __name__ == "__main__":
    import sys
    # python3 agentd_toolcall.py bridge [SOCKET]: stdio <-> socket, for stdio MCP clients.
    # python3 agentd_toolcall.py [SOCKET] [TOOL JSON_ARGS]: list tools, or call one.
    args = sys.argv[1:]
    if args and args[0] == "bridge":
        bridge(args[1] if len(args) > 1 else DEFAULT_SOCKET)
        sys.exit(0)
    path = args.pop(0) if args and args[0].startswith("/") else DEFAULT_SOCKET
    with ToolcallClient(path) as tc:
        if args:
            print(json.dumps(tc.call_tool(args[0], json.loads(args[1]) if len(args) > 1 else {}), indent=2))
        else:
            for t in tc.list_tools():
                print("%s\t%s" % (t["name"], t.get("description", "")))
