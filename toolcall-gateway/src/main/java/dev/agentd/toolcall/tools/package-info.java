/**
 * The built-in tools: {@code echo}, {@code file_read}, {@code file_write},
 * {@code file_list}, {@code file_stat}, {@code http_fetch} and
 * {@code llm_complete}; {@link dev.agentd.toolcall.tools.BuiltinTools#all} makes
 * them. They run inside agentd (root) for an agent, so each one is a security
 * boundary: what the agent's grants do not cover must be unreachable.
 *
 * <p>Decisions, and why:
 * <ul>
 *   <li><b>Paths</b> are absolute, without {@code ..} (never resolved, even when it
 *       would stay inside: its meaning depends on symlinks), NUL or {@code *}. The
 *       covering grant's root ({@code /x} for {@code /x/**}, the parent for an exact
 *       {@code /x/f}) is opened with no symlink in its own path, and the rest is
 *       opened beneath it with {@code openat2(RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS |
 *       RESOLVE_NO_MAGICLINKS)} — never a fallback to {@code open}. So the kernel
 *       refuses escapes ({@code EXDEV}) and every symlink ({@code ELOOP}: "symlinks are
 *       not followed"), including ones that would stay inside and
 *       {@code /proc/PID/root}-style magic links, with no check-then-open race.</li>
 *   <li><b>Hard links</b>: openat2 cannot see them (the lookup does stay beneath the
 *       root), and a second name may be outside every grant, so {@code file_read} and
 *       {@code file_write} refuse regular files with {@code st_nlink > 1}; an existing
 *       file is checked before it is truncated. {@code file_stat}/{@code file_list}
 *       still show such files, with their link count.</li>
 *   <li><b>Special files</b>: reads and writes open with {@code O_NONBLOCK |
 *       O_NOCTTY} and refuse anything but a regular file, so a planted FIFO cannot
 *       hang agentd; {@code file_stat} opens {@code O_PATH} and so never opens the file
 *       at all.</li>
 *   <li><b>New files</b> are created {@code 0644} (less umask) and given to the owner
 *       and group of their directory, so the agent can change or delete what agentd
 *       wrote for it.</li>
 *   <li><b>Network</b>: the host is authorized before it is resolved; every resolved
 *       address must be public unicast (see {@code AddressPolicy}) unless the grant
 *       names that address literally; the socket connects to the checked address
 *       (HTTP/1.1 written here, TLS with SNI and hostname verification on top), so DNS
 *       rebinding has no second lookup to exploit; each redirect (at most 5) is
 *       authorized and checked again, and secret-bearing and credential headers do not
 *       follow a redirect to another origin.</li>
 *   <li><b>Secrets</b> reach only the wire: {@code ${secret:NAME}} in a header is
 *       replaced from the vault (the agent needs {@code secret: NAME}); request headers
 *       are never echoed, and revealed values (raw and base64) are scrubbed from
 *       responses.</li>
 *   <li><b>LLM</b> providers come from root-owned configuration, so their (possibly
 *       loopback) base URLs bypass the {@code net:} checks; the token budget is
 *       reserved before the call and settled with the reported usage; a per-provider
 *       semaphore bounds concurrency across all agents.</li>
 * </ul>
 */
package dev.agentd.toolcall.tools;
