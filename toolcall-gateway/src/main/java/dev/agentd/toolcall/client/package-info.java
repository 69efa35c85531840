/**
 * The Java client of an agent's toolcall socket: {@link dev.agentd.toolcall.client.ToolcallClient}
 * (blocking, reconnecting, never re-sending a request that may have reached the server) and
 * {@link dev.agentd.toolcall.client.ToolcallException} for JSON-RPC error answers. Depends on
 * jackson-databind only, so it can run inside a sandbox without agentd's other modules.
 */
package dev.agentd.toolcall.client;
