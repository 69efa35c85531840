/**
 * The agent's toolcall() socket: one {@link dev.agentd.toolcall.Gateway} per agent serving MCP over
 * newline-delimited JSON-RPC 2.0 on a Unix socket, and the {@link dev.agentd.toolcall.Tool} SPI the
 * built-in tools ({@code dev.agentd.toolcall.tools}) and agentd's own tools implement.
 *
 * <p>Public API, by role:
 * <ul>
 *   <li>tool SPI: {@link dev.agentd.toolcall.Tool}, {@link dev.agentd.toolcall.ToolCall},
 *       {@link dev.agentd.toolcall.ToolContext}, {@link dev.agentd.toolcall.CancellationToken},
 *       {@link dev.agentd.toolcall.ToolResult}, {@link dev.agentd.toolcall.ToolException};</li>
 *   <li>serving: {@link dev.agentd.toolcall.Gateway#open}, {@link dev.agentd.toolcall.GatewayConfig},
 *       {@link dev.agentd.toolcall.GatewayLimits}, {@link dev.agentd.toolcall.ToolRegistry};</li>
 *   <li>what agentd plugs in: {@link dev.agentd.toolcall.Authorizer} (the broker, bound to one agent),
 *       {@link dev.agentd.toolcall.ApprovalGate}, {@link dev.agentd.toolcall.CallListener} receiving
 *       {@link dev.agentd.toolcall.CallRecord}s, a redactor ({@code Function<String,String>}),
 *       {@link dev.agentd.toolcall.PeerCredentialsReader};</li>
 *   <li>shared helpers: {@link dev.agentd.toolcall.CanonicalJson} (the arguments' hash that approvals bind to);</li>
 *   <li>programs: {@link dev.agentd.toolcall.StdioBridge} (stdio MCP clients → socket),
 *       {@link dev.agentd.toolcall.EchoBench} (round-trip cost of the gateway).</li>
 * </ul>
 * Clients live in {@code dev.agentd.toolcall.client} and {@code src/main/python/agentd_toolcall.py}.
 *
 * <p>Identity is the socket and the kernel's word about its peer, never a field of a request. Denials
 * and tool failures are results with {@code isError: true} (the model should read them); JSON-RPC
 * errors are kept for protocol faults. See the module README for the protocol and the limits.
 */
package dev.agentd.toolcall;
