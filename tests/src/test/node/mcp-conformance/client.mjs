// A real MCP client nobody here wrote: the official TypeScript SDK, talking to
// agentd's toolcall socket through the stdio bridge (argv: the bridge command).
// Prints one JSON object with what it saw as its last stdout line; the Java
// test (dev.agentd.tests.toolcall.McpConformanceIT) asserts on it.
//
// Midway it prints the line "WAITING_FOR_LIST_CHANGED" and waits (at most
// 30 s) for notifications/tools/list_changed: the test then adds a grant.
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { ToolListChangedNotificationSchema } from "@modelcontextprotocol/sdk/types.js";

const [command, ...args] = process.argv.slice(2);
const transport = new StdioClientTransport({ command, args, stderr: "inherit" });
const out = { protocolVersion: null };
// The client hands the negotiated revision to transports that want it.
transport.setProtocolVersion = (v) => { out.protocolVersion = v; };
const client = new Client({ name: "mcp-conformance", version: "1.0.0" });

let listChanged;
const listChangedSeen = new Promise((resolve) => { listChanged = resolve; });
client.setNotificationHandler(ToolListChangedNotificationSchema, () => listChanged(true));

// Milliseconds since start at each step (diagnostics only; the test asserts no timing).
const t0 = Date.now();
out.ms = {};
const mark = (step) => { out.ms[step] = Date.now() - t0; };

function errorOf(e) {
  return { code: e?.code ?? null, message: String(e?.message ?? e) };
}

try {
  await client.connect(transport);
  mark("connected");
  out.serverVersion = client.getServerVersion();
  out.capabilities = client.getServerCapabilities();
  const tools = await client.listTools();
  out.tools = tools.tools.map((t) => t.name).sort();
  out.toolsHaveSchemas = tools.tools.every((t) => t.inputSchema && t.inputSchema.type === "object");
  out.echo = await client.callTool({ name: "echo", arguments: { text: "hello from the MCP SDK" } });
  try {
    out.ungranted = await client.callTool({ name: "file_write", arguments: { path: "/etc/passwd", content: "x" } });
  } catch (e) {
    out.ungrantedError = errorOf(e);
  }
  try {
    out.invalid = await client.callTool({ name: "echo", arguments: { wrong: 1 } });
  } catch (e) {
    out.invalidError = errorOf(e);
  }
  // Cancellation: the SDK sends notifications/cancelled when the signal aborts;
  // the server must not answer the cancelled request and must keep serving.
  const abort = new AbortController();
  setTimeout(() => abort.abort("test cancels"), 1500);
  try {
    out.cancelled = await client.callTool({ name: "http_fetch", arguments: { url: process.env.SLOW_URL } }, undefined,
      { signal: abort.signal, timeout: 60000 });
  } catch (e) {
    out.cancelledError = errorOf(e);
  }
  mark("cancelled");
  await client.ping();
  out.ping = true;
  // notifications/tools/list_changed, then the new list.
  mark("waiting");
  console.log("WAITING_FOR_LIST_CHANGED");
  let giveUp;
  out.listChanged = await Promise.race([listChangedSeen,
    new Promise((resolve) => { giveUp = setTimeout(() => resolve(false), 30000); })]);
  clearTimeout(giveUp); // a pending timer would keep node alive
  mark("listChanged");
  out.toolsAfter = (await client.listTools()).tools.map((t) => t.name).sort();
  await client.ping();
  out.pingAfter = true;
} catch (e) {
  out.failure = String((e && e.stack) || e);
} finally {
  mark("closing");
  await client.close().catch(() => {});
  mark("closed");
}
console.log(JSON.stringify(out));
