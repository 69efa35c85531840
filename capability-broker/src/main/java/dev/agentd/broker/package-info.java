/**
 * The capability broker: every agent's grants, and the decision for every tool call.
 *
 * <ul>
 *   <li>{@link dev.agentd.broker.Broker} holds grants in SQLite ({@code broker_*} tables), delegates
 *       them from parent to child agents ("you can only give what you have"), counts invocations
 *       on the whole chain of grants a child's grant was narrowed from, rate-limits, expires and
 *       revokes (with cascade), and keeps approval requests for calls a person must allow.</li>
 *   <li>{@link dev.agentd.broker.Authorizer} is the slice of the broker the toolcall gateway calls.</li>
 *   <li>{@link dev.agentd.broker.SecretVault} keeps secrets AES-256-GCM encrypted in the same
 *       database, reveals them only against a {@code secret:} grant, and provides a
 *       {@link dev.agentd.broker.Scrubber} that removes them from text.</li>
 *   <li>{@link dev.agentd.broker.BrokerListener} receives a {@link dev.agentd.broker.BrokerEvent}
 *       for every change, before it is committed, for agentd's audit log.</li>
 * </ul>
 *
 * <p>Values are compared lexically after normalization: absolute paths ({@code /x} one file,
 * {@code /x/**} the subtree), {@code host} (any port) or {@code host:port}, and exact names for
 * tools, agents to spawn, secrets and LLM providers. The broker never touches the file system or
 * the network; the tools enforce paths with {@code openat2(RESOLVE_BENEATH)}.
 *
 * <p>This package depends on jackson-databind and sqlite-jdbc only and knows nothing of manifests
 * or sockets.
 */
package dev.agentd.broker;
