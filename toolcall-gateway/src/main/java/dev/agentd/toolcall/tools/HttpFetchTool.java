package dev.agentd.toolcall.tools;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agentd.broker.Decision;
import dev.agentd.broker.Grant;
import dev.agentd.broker.GrantKind;
import dev.agentd.toolcall.ToolCall;
import dev.agentd.toolcall.ToolContext;
import dev.agentd.toolcall.ToolException;
import dev.agentd.toolcall.ToolResult;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.NoRouteToHostException;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code http_fetch {url, method?, headers?, body?, max_bytes?}}: one HTTP(S)
 * request to a host a {@code net:} grant covers.
 *
 * <p>What keeps it from being a way into places the grants do not name:
 * <ol>
 *   <li>the host and port are authorized ({@code net: host} or
 *       {@code net: host:port}) before the name is even resolved, so agentd
 *       sends DNS queries only for granted names;</li>
 *   <li>every address the name resolves to is classified by
 *       {@link AddressPolicy}; loopback, private, link-local (the metadata
 *       endpoint), CGNAT, multicast, unspecified and reserved addresses are
 *       refused unless the grant that allowed the request names that address
 *       as a literal ({@code net: 127.0.0.1:8080}), so a public name pointing
 *       inside cannot borrow a grant;</li>
 *   <li>the connection goes to the checked address itself ({@link HttpWire}),
 *       so a second DNS answer cannot redirect it (DNS rebinding);</li>
 *   <li>each redirect (at most {@value #MAX_REDIRECTS}) goes through 1–3
 *       again; headers carrying secrets, and Authorization/Cookie, are dropped
 *       when a redirect leaves the original scheme, host and port.</li>
 * </ol>
 *
 * <p>Secrets: a header value may contain {@code ${secret:NAME}}; the tool
 * replaces it with the value from the vault (the agent must hold
 * {@code secret: NAME}). The result never repeats request headers, and every
 * revealed value (and its base64) is replaced by {@code [secret:NAME]} in the
 * returned headers and body, in case the server echoes it.
 */
public final class HttpFetchTool extends SchemaTool {
    public static final String NAME = "http_fetch";
    public static final int MAX_REDIRECTS = 5;
    /** Largest response body kept. */
    public static final long MAX_BYTES = 4L << 20;
    /** Default kept: the body appears twice in a result and the gateway's default result cap is 1 MiB. */
    public static final long DEFAULT_MAX_BYTES = 256 * 1024;

    /**
     * What NAME may be in {@code ${secret:NAME}}, and so what a secret may be
     * called: a name outside it could be stored but never referred to.
     */
    public static final Pattern SECRET_NAME = Pattern.compile("[A-Za-z0-9_.-]{1,256}");
    private static final Pattern SECRET_REF = Pattern.compile("\\$\\{secret:(" + SECRET_NAME.pattern() + ")\\}");
    private static final Pattern TOKEN = Pattern.compile("[!#$%&'*+.^_`|~0-9A-Za-z-]{1,256}");
    /**
     * Headers the tool owns: framing and connection management (a forged
     * Content-Length or Transfer-Encoding would let the agent smuggle a second
     * request), Host (must match the authorized host), and Accept-Encoding (the
     * tool does not decompress).
     */
    private static final Set<String> RESERVED = Set.of("host", "content-length", "transfer-encoding", "connection",
            "keep-alive", "upgrade", "te", "trailer", "proxy-connection", "proxy-authorization", "expect",
            "accept-encoding");
    /** Dropped on a cross-origin redirect even when written literally. */
    private static final Set<String> CREDENTIAL_HEADERS = Set.of("authorization", "cookie");
    /** Response headers returned to the agent; others (Set-Cookie among them) are left out. */
    private static final Set<String> SAFE_RESPONSE_HEADERS = Set.of("content-type", "content-length",
            "content-encoding", "content-language", "content-disposition", "cache-control", "etag", "expires",
            "last-modified", "location", "retry-after", "date", "age", "vary");

    private final Resolver resolver;

    /** Name resolution, replaceable so tests never need a real DNS answer. */
    @FunctionalInterface
    public interface Resolver {
        InetAddress[] resolve(String host) throws UnknownHostException;
    }

    public HttpFetchTool() {
        this(InetAddress::getAllByName);
    }

    public HttpFetchTool(Resolver resolver) {
        super(NAME, "Fetches an http(s) URL whose host the agent's net grants cover. Header values may use"
                + " ${secret:NAME} to send a secret without seeing it. Returns status, some headers and the body"
                + " (text, or base64 when not UTF-8).", """
                {
                  "type": "object",
                  "properties": {
                    "url": {"type": "string", "minLength": 1, "maxLength": 8192,
                            "description": "Absolute http:// or https:// URL."},
                    "method": {"enum": ["GET", "HEAD", "POST"], "default": "GET"},
                    "headers": {
                      "type": "object",
                      "maxProperties": 50,
                      "propertyNames": {"pattern": "^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,256}$"},
                      "additionalProperties": {"type": "string", "maxLength": 8192},
                      "description": "Request headers. A value may contain ${secret:NAME}."
                    },
                    "body": {"type": "string", "description": "Request body (UTF-8), for POST."},
                    "max_bytes": {"type": "integer", "minimum": 1, "maximum": 4194304, "default": 262144,
                                  "description": "Most response body bytes to return (at most 4 MiB)."}
                  },
                  "required": ["url"],
                  "additionalProperties": false
                }""", """
                {
                  "type": "object",
                  "properties": {
                    "url": {"type": "string", "description": "The URL that answered, after redirects."},
                    "status": {"type": "integer", "minimum": 100, "maximum": 999},
                    "headers": {"type": "object", "additionalProperties": {"type": "string"}},
                    "body": {"type": "string"},
                    "body_base64": {"type": "string"},
                    "truncated": {"type": "boolean", "description": "True when the body was longer than max_bytes."},
                    "redirects": {"type": "integer", "minimum": 0}
                  },
                  "required": ["url", "status", "headers", "truncated", "redirects"],
                  "additionalProperties": false
                }""");
        this.resolver = resolver;
    }

    /** A revealed secret, kept to scrub the response; zeroed when the call ends. */
    record Revealed(String name, byte[] value) {}

    /** A request header and whether its value came (partly) from a secret. */
    private record Header(String name, String value, boolean secret) {}

    @Override
    public ToolResult call(ToolCall call) throws ToolException {
        JsonNode args = call.arguments();
        String method = Json.text(args, "method").orElse("GET");
        if (!method.equals("GET") && !method.equals("HEAD") && !method.equals("POST")) {
            throw new ToolException("method must be GET, HEAD or POST, got \"" + Json.printable(method) + "\"");
        }
        long maxBytes = Json.number(args, "max_bytes", DEFAULT_MAX_BYTES);
        if (maxBytes < 1 || maxBytes > MAX_BYTES) {
            throw new ToolException("max_bytes must be in 1.." + MAX_BYTES + ", got " + maxBytes);
        }
        byte[] body = Json.text(args, "body").map(b -> b.getBytes(StandardCharsets.UTF_8)).orElse(null);
        if (body != null && !method.equals("POST")) {
            throw new ToolException("a body is only sent with POST, not " + method);
        }
        HttpUrl url = HttpUrl.parse(args.get("url").asText());
        List<Revealed> secrets = new ArrayList<>();
        try {
            List<Header> headers = headers(args.get("headers"), call.context(), secrets);
            return fetch(call, url, method, headers, body, maxBytes, secrets);
        } finally {
            for (Revealed r : secrets) {
                Arrays.fill(r.value(), (byte) 0);
            }
        }
    }

    private ToolResult fetch(ToolCall call, HttpUrl first, String method, List<Header> headers, byte[] body,
                             long maxBytes, List<Revealed> secrets) throws ToolException {
        HttpUrl url = first;
        for (int redirects = 0; ; redirects++) {
            call.cancel().throwIfCancelled();
            boolean sameOrigin = url.origin().equals(first.origin());
            List<Map.Entry<String, String>> send = new ArrayList<>();
            for (Header h : headers) {
                if (sameOrigin || !(h.secret() || CREDENTIAL_HEADERS.contains(h.name().toLowerCase(Locale.ROOT)))) {
                    send.add(Map.entry(h.name(), h.value()));
                }
            }
            HttpWire.Response r = exchange(call, url, method, send, body, maxBytes);
            Optional<String> location = r.header("Location");
            boolean redirect = r.status() == 301 || r.status() == 302 || r.status() == 303 || r.status() == 307
                    || r.status() == 308;
            if (!redirect || location.isEmpty()) {
                return result(url, r, redirects, secrets);
            }
            if (redirects == MAX_REDIRECTS) {
                throw new ToolException("too many redirects: more than " + MAX_REDIRECTS + " (last to "
                        + Json.printable(location.get()) + ")");
            }
            HttpUrl next = url.resolve(location.get());
            // 303 always, and 301/302 after a POST, continue as GET without the body
            // (what browsers do and RFC 9110 15.4 allows); 307/308 repeat the request.
            if ((r.status() == 303 && !method.equals("HEAD")) || ((r.status() == 301 || r.status() == 302)
                    && method.equals("POST"))) {
                method = "GET";
                body = null;
            }
            url = next;
        }
    }

    /** Authorize, resolve, check and connect for one URL; then one exchange. */
    private HttpWire.Response exchange(ToolCall call, HttpUrl url, String method, List<Map.Entry<String, String>> headers,
                                       byte[] body, long maxBytes) throws ToolException {
        Decision d = call.context().authorize(GrantKind.NET, url.grantValue());
        if (!(d instanceof Decision.Allowed allowed)) {
            throw new ToolException("net " + url.grantValue() + " (" + Json.printable(url.toString()) + ") denied: "
                    + ((Decision.Denied) d).reason());
        }
        List<InetAddress> addresses = checkedAddresses(url, allowed.grant());
        IOException last = null;
        for (InetAddress a : addresses) {
            HttpWire.Target t = new HttpWire.Target(url.tls(), url.host(), url.port(), a, url.requestTarget());
            try {
                return HttpWire.exchange(t, method, headers, body, maxBytes, call.deadline(), call.cancel());
            } catch (ConnectException | NoRouteToHostException e) {
                last = e; // nothing was sent: the next address may answer
            } catch (IOException e) {
                throw new ToolException(method + " " + Json.printable(url.toString()) + " failed: " + e.getMessage(), e);
            }
        }
        throw new ToolException("cannot connect to " + url.grantValue() + " (" + addresses + "): "
                + (last == null ? "no address" : last.getMessage()), last);
    }

    /**
     * The addresses of {@code url}'s host, all of which must pass
     * {@link AddressPolicy} or be the literal address {@code grant} names. All,
     * not "the first good one": a name that answers with an inside address is
     * refused as a whole, which keeps the rule simple to state and to test.
     */
    private List<InetAddress> checkedAddresses(HttpUrl url, Grant grant) throws ToolException {
        Optional<InetAddress> named = AddressPolicy.literal(grantHost(grant.value()));
        InetAddress[] resolved;
        try {
            Optional<InetAddress> literal = AddressPolicy.literal(url.host());
            resolved = literal.isPresent() ? new InetAddress[] {literal.get()} : resolver.resolve(url.host());
        } catch (UnknownHostException e) {
            throw new ToolException("cannot resolve " + url.host() + ": " + e.getMessage());
        }
        if (resolved.length == 0) {
            throw new ToolException("cannot resolve " + url.host() + ": no addresses");
        }
        for (InetAddress a : resolved) {
            Optional<String> why = AddressPolicy.restriction(a);
            if (why.isPresent() && !(named.isPresent() && named.get().equals(a))) {
                throw new ToolException(url.host() + " resolves to " + a.getHostAddress() + ", a " + why.get()
                        + " address: refused unless a net grant names that address itself (e.g. net: "
                        + (a.getHostAddress().indexOf(':') >= 0 ? "[" + a.getHostAddress() + "]" : a.getHostAddress())
                        + ":" + url.port() + "); " + grant.describe() + " names a host, not that address");
            }
        }
        return List.of(resolved);
    }

    /** The host part of a {@code net:} grant value ({@code host}, {@code host:port}, {@code [v6]:port}). */
    static String grantHost(String value) {
        if (value.startsWith("[")) {
            int close = value.indexOf(']');
            return close < 0 ? value : value.substring(1, close);
        }
        int colon = value.indexOf(':');
        if (colon >= 0 && colon == value.lastIndexOf(':')) {
            return value.substring(0, colon);
        }
        return value;
    }

    private static List<Header> headers(JsonNode node, ToolContext ctx, List<Revealed> secrets) throws ToolException {
        List<Header> out = new ArrayList<>();
        if (node == null || node.isNull()) {
            return out;
        }
        Iterator<Map.Entry<String, JsonNode>> it = node.fields();
        while (it.hasNext()) {
            Map.Entry<String, JsonNode> e = it.next();
            String name = e.getKey();
            if (!TOKEN.matcher(name).matches()) {
                throw new ToolException("header name \"" + Json.printable(name) + "\" is not an HTTP token");
            }
            if (RESERVED.contains(name.toLowerCase(Locale.ROOT))) {
                throw new ToolException("header " + name + " is set by the tool and may not be given"
                        + " (reserved: Host, Content-Length, Transfer-Encoding, Connection, Accept-Encoding, ...)");
            }
            String raw = e.getValue().asText();
            Matcher m = SECRET_REF.matcher(raw);
            StringBuilder value = new StringBuilder();
            boolean secret = false;
            while (m.find()) {
                secret = true;
                m.appendReplacement(value, Matcher.quoteReplacement(reveal(m.group(1), ctx, secrets)));
            }
            m.appendTail(value);
            checkValue(name, value.toString(), secret);
            out.add(new Header(name, value.toString(), secret));
        }
        return out;
    }

    private static String reveal(String name, ToolContext ctx, List<Revealed> secrets) throws ToolException {
        for (Revealed r : secrets) {
            if (r.name().equals(name)) {
                return new String(r.value(), StandardCharsets.UTF_8);
            }
        }
        byte[] v = ctx.revealSecret(name).orElseThrow(() -> new ToolException("secret " + name
                + " is not available to this agent (it needs a live grant secret: " + name + ")"));
        secrets.add(new Revealed(name, v));
        return new String(v, StandardCharsets.UTF_8);
    }

    /** Printable ASCII and tab only: CR or LF would end the header and start one the agent wrote. */
    private static void checkValue(String name, String value, boolean secret) throws ToolException {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (!(c == '\t' || (c >= 0x20 && c < 0x7f))) {
                // Never echo a value that holds a secret, not even in part.
                throw new ToolException("header " + name + " contains a character outside printable ASCII"
                        + (secret ? " (after substituting its secret)" : " at index " + i)
                        + ": only printable ASCII and tab are sent");
            }
        }
    }

    private static ToolResult result(HttpUrl url, HttpWire.Response r, int redirects, List<Revealed> secrets) {
        ObjectNode out = Json.object().put("url", url.toString()).put("status", r.status());
        ObjectNode headers = out.putObject("headers");
        for (Map.Entry<String, String> h : r.headers()) {
            String name = h.getKey().toLowerCase(Locale.ROOT);
            if (SAFE_RESPONSE_HEADERS.contains(name) && !headers.has(name)) {
                headers.put(name, scrub(h.getValue(), secrets));
            }
        }
        byte[] body = scrub(r.body(), secrets);
        Optional<String> text = Json.utf8(body);
        if (text.isPresent()) {
            out.put("body", text.get());
        } else {
            out.put("body_base64", Base64.getEncoder().encodeToString(body));
        }
        out.put("truncated", r.truncated()).put("redirects", redirects);
        return ToolResult.structured(out, Json.write(out));
    }

    private static String scrub(String s, List<Revealed> secrets) {
        return new String(scrub(s.getBytes(StandardCharsets.ISO_8859_1), secrets), StandardCharsets.ISO_8859_1);
    }

    /** Every revealed value, raw and base64, replaced by {@code [secret:NAME]}. */
    static byte[] scrub(byte[] data, List<Revealed> secrets) {
        byte[] out = data;
        for (Revealed r : secrets) {
            byte[] mark = ("[secret:" + r.name() + "]").getBytes(StandardCharsets.US_ASCII);
            out = replaceAll(out, r.value(), mark);
            out = replaceAll(out, Base64.getEncoder().encode(r.value()), mark);
        }
        return out;
    }

    private static byte[] replaceAll(byte[] data, byte[] find, byte[] with) {
        if (find.length == 0 || data.length < find.length) {
            return data;
        }
        java.io.ByteArrayOutputStream b = new java.io.ByteArrayOutputStream(data.length);
        int i = 0;
        boolean changed = false;
        outer:
        while (i <= data.length - find.length) {
            for (int j = 0; j < find.length; j++) {
                if (data[i + j] != find[j]) {
                    b.write(data[i]);
                    i++;
                    continue outer;
                }
            }
            b.write(with, 0, with.length);
            i += find.length;
            changed = true;
        }
        if (!changed) {
            return data;
        }
        b.write(data, i, data.length - i);
        return b.toByteArray();
    }
}
