package dev.agentd.toolcall.tools;

import static dev.agentd.toolcall.tools.Calls.fails;
import static dev.agentd.toolcall.tools.Calls.ok;
import static dev.agentd.toolcall.tools.Calls.q;
import static dev.agentd.toolcall.tools.Calls.structured;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.agentd.broker.GrantKind;
import dev.agentd.toolcall.CancellationToken;
import dev.agentd.toolcall.ToolResult;
import java.io.OutputStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * http_fetch against HTTP servers on 127.0.0.1. Every name that a test makes
 * resolve elsewhere goes through a fake resolver and is refused before any
 * connection: no test contacts a non-loopback address.
 */
class HttpFetchToolTest {
    LoopbackServer a;
    LoopbackServer b;
    FakeContext ctx;
    final HttpFetchTool fetch = new HttpFetchTool();

    @BeforeEach
    void setUp() throws Exception {
        a = new LoopbackServer();
        b = new LoopbackServer();
        a.on("/hello", ex -> {
            ex.getResponseHeaders().add("Set-Cookie", "session=abc");
            ex.getResponseHeaders().add("X-Internal", "1");
            LoopbackServer.text(ex, 200, "hello");
        });
        a.on("/echo", ex -> LoopbackServer.text(ex, 200, ex.getRequestMethod() + " "
                + ex.getRequestHeaders().getFirst("Authorization") + " " + ex.getRequestHeaders().getFirst("X-Key")
                + " body=" + a.requests.get(a.requests.size() - 1).body()));
        a.on("/big", ex -> {
            byte[] big = new byte[100_000];
            Arrays.fill(big, (byte) 0xff); // not UTF-8: comes back as base64
            LoopbackServer.send(ex, 200, "application/octet-stream", big);
        });
        a.on("/chunked", ex -> {
            ex.sendResponseHeaders(200, 0);
            try (OutputStream o = ex.getResponseBody()) {
                for (int i = 0; i < 100; i++) {
                    o.write("0123456789".repeat(100).getBytes(StandardCharsets.US_ASCII));
                    o.flush();
                }
            }
        });
        a.on("/slow", ex -> {
            try {
                Thread.sleep(3000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            LoopbackServer.text(ex, 200, "late");
        });
        a.on("/same", ex -> LoopbackServer.redirect(ex, 302, "/echo"));
        a.on("/see-other", ex -> LoopbackServer.redirect(ex, 303, "/echo"));
        a.on("/loop", ex -> LoopbackServer.redirect(ex, 302, "/loop"));
        a.on("/to-b", ex -> LoopbackServer.redirect(ex, 307, b.url("/echo")));
        a.on("/to-localhost", ex -> LoopbackServer.redirect(ex, 302, "http://localhost:" + a.port() + "/hello"));
        b.on("/echo", ex -> LoopbackServer.text(ex, 200, "b saw " + ex.getRequestHeaders().getFirst("Authorization")
                + " " + ex.getRequestHeaders().getFirst("X-Key")));
        ctx = new FakeContext().grant(GrantKind.NET, "127.0.0.1:" + a.port());
    }

    @AfterEach
    void tearDown() {
        a.close();
        b.close();
    }

    private String args(String url) {
        return "{\"url\": " + q(url) + "}";
    }

    @Test
    void fetch_literalIpGrantAllowsLoopback() throws Exception {
        ToolResult r = ok(fetch, ctx, args(a.url("/hello")));
        JsonNode s = structured(r);
        assertEquals(200, s.get("status").asInt());
        assertEquals("hello", s.get("body").asText());
        assertFalse(s.get("truncated").asBoolean());
        assertEquals("text/plain; charset=utf-8", s.get("headers").get("content-type").asText());
        assertFalse(s.get("headers").has("set-cookie"), "only a safe subset of response headers");
        assertFalse(s.get("headers").has("x-internal"));
        assertEquals(List.of("net: 127.0.0.1:" + a.port()), ctx.authorized);
        assertEquals("127.0.0.1:" + a.port(), a.requests.get(0).header("Host"));
    }

    @Test
    void fetch_refusedWithoutGrant() {
        FakeContext none = new FakeContext();
        fails(fetch, none, args(a.url("/hello")), "denied: no grant for net \"127.0.0.1:" + a.port() + "\"");
        FakeContext otherPort = new FakeContext().grant(GrantKind.NET, "127.0.0.1:" + b.port());
        fails(fetch, otherPort, args(a.url("/hello")), "denied");
        assertTrue(a.requests.isEmpty());
    }

    @Test
    void fetch_hostnameGrantResolvingToLoopbackRefused() {
        FakeContext byName = new FakeContext().grant(GrantKind.NET, "localhost:" + a.port());
        fails(fetch, byName, args("http://localhost:" + a.port() + "/hello"),
                "a loopback address: refused unless a net grant names that address itself");
        assertTrue(a.requests.isEmpty(), "refused before connecting");
    }

    @Test
    void fetch_publicNamePointingInsideRefusedBeforeConnecting() throws Exception {
        // A fake resolver: these names never reach DNS, and the addresses are never contacted.
        HttpFetchTool t = new HttpFetchTool(host -> switch (host) {
            case "metadata.example" -> new InetAddress[] {InetAddress.getByAddress(host, new byte[] {(byte) 169, (byte) 254, (byte) 169, (byte) 254})};
            case "corp.example" -> new InetAddress[] {InetAddress.getByAddress(host, new byte[] {10, 1, 2, 3})};
            case "mixed.example" -> new InetAddress[] {
                    InetAddress.getByAddress(host, new byte[] {(byte) 192, (byte) 168, 0, 1}),
                    InetAddress.getByAddress(host, new byte[] {(byte) 100, (byte) 64, 0, 1})};
            default -> throw new java.net.UnknownHostException(host);
        });
        FakeContext c = new FakeContext().grant(GrantKind.NET, "metadata.example").grant(GrantKind.NET, "corp.example")
                .grant(GrantKind.NET, "mixed.example");
        fails(t, c, args("http://metadata.example/latest/meta-data/"), "link-local");
        fails(t, c, args("http://corp.example/"), "private");
        fails(t, c, args("https://mixed.example/"), "resolves to 192.168.0.1, a private address");
    }

    @Test
    void fetch_literalMetadataAddressNeedsAGrantNamingIt() {
        fails(fetch, ctx, args("http://169.254.169.254/latest/meta-data/"), "denied");
        fails(fetch, ctx, args("http://[::ffff:127.0.0.1]:" + a.port() + "/hello"), "denied");
    }

    @Test
    void fetch_sameOriginRedirectFollowedWithHeaders() throws Exception {
        ctx.grant(GrantKind.SECRET, "k").secret("k", "key-123");
        JsonNode s = structured(ok(fetch, ctx, "{\"url\": " + q(a.url("/same")) + ", \"headers\": {\"X-Key\":"
                + " \"${secret:k}\"}}"));
        assertEquals(1, s.get("redirects").asInt());
        assertEquals(a.url("/echo"), s.get("url").asText());
        assertEquals("GET null [secret:k] body=", s.get("body").asText(), "server got the key; result scrubbed");
        assertEquals("key-123", a.requests.get(1).header("X-Key"));
        assertEquals(2, ctx.authorized.size(), "each hop is authorized");
    }

    @Test
    void fetch_redirectToUngrantedPortRefused() {
        fails(fetch, ctx, args(a.url("/to-b")), "denied: no grant for net \"127.0.0.1:" + b.port() + "\"");
        assertTrue(b.requests.isEmpty());
    }

    @Test
    void fetch_redirectToLoopbackByNameRefused() {
        ctx.grant(GrantKind.NET, "localhost");
        fails(fetch, ctx, args(a.url("/to-localhost")), "a loopback address");
    }

    @Test
    void fetch_crossOriginRedirectDropsSecretsAndCredentials() throws Exception {
        ctx.grant(GrantKind.NET, "127.0.0.1:" + b.port()).grant(GrantKind.SECRET, "k").secret("k", "key-123");
        JsonNode s = structured(ok(fetch, ctx, "{\"url\": " + q(a.url("/to-b")) + ", \"headers\": {\"X-Key\":"
                + " \"${secret:k}\", \"Authorization\": \"Basic dXNlcjpwYXNz\"}}"));
        assertEquals("b saw null null", s.get("body").asText());
        assertEquals("key-123", a.requests.get(0).header("X-Key"), "the first host got it");
        assertNull(b.requests.get(0).header("X-Key"));
        assertNull(b.requests.get(0).header("Authorization"));
    }

    @Test
    void fetch_tooManyRedirects() {
        fails(fetch, ctx, args(a.url("/loop")), "too many redirects: more than 5");
        assertEquals(6, a.requests.size());
    }

    @Test
    void fetch_303TurnsPostIntoGet() throws Exception {
        JsonNode s = structured(ok(fetch, ctx, "{\"url\": " + q(a.url("/see-other")) + ", \"method\": \"POST\","
                + " \"body\": \"data\"}"));
        assertEquals("GET null null body=", s.get("body").asText());
        assertEquals("data", a.requests.get(0).body());
    }

    @Test
    void fetch_postSendsBody() throws Exception {
        JsonNode s = structured(ok(fetch, ctx, "{\"url\": " + q(a.url("/echo")) + ", \"method\": \"POST\","
                + " \"body\": \"x=1\", \"headers\": {\"Content-Type\": \"application/x-www-form-urlencoded\"}}"));
        assertEquals("POST null null body=x=1", s.get("body").asText());
        fails(fetch, ctx, "{\"url\": " + q(a.url("/echo")) + ", \"body\": \"x\"}", "only sent with POST");
    }

    @Test
    void fetch_headMethodHasNoBody() throws Exception {
        JsonNode s = structured(ok(fetch, ctx, "{\"url\": " + q(a.url("/hello")) + ", \"method\": \"HEAD\"}"));
        assertEquals(200, s.get("status").asInt());
        assertEquals("", s.get("body").asText());
    }

    @Test
    void fetch_sizeCapTruncates() throws Exception {
        JsonNode s = structured(ok(fetch, ctx, "{\"url\": " + q(a.url("/big")) + ", \"max_bytes\": 1000}"));
        assertTrue(s.get("truncated").asBoolean());
        assertEquals(1000, java.util.Base64.getDecoder().decode(s.get("body_base64").asText()).length);
        s = structured(ok(fetch, ctx, "{\"url\": " + q(a.url("/chunked")) + ", \"max_bytes\": 1500}"));
        assertTrue(s.get("truncated").asBoolean());
        assertEquals(1500, s.get("body").asText().length());
        s = structured(ok(fetch, ctx, "{\"url\": " + q(a.url("/chunked")) + ", \"max_bytes\": 200000}"));
        assertFalse(s.get("truncated").asBoolean());
        assertEquals(100_000, s.get("body").asText().length());
    }

    @Test
    void fetch_secretHeaderReachesServerButNotTheResult() throws Exception {
        ctx.grant(GrantKind.SECRET, "api_token").secret("api_token", "s3cr3t-VALUE");
        ToolResult r = ok(fetch, ctx, "{\"url\": " + q(a.url("/echo")) + ", \"headers\": {\"Authorization\":"
                + " \"Bearer ${secret:api_token}\"}}");
        assertEquals("Bearer s3cr3t-VALUE", a.requests.get(0).header("Authorization"));
        String all = r.content().toString() + structured(r);
        assertFalse(all.contains("s3cr3t-VALUE"), all);
        assertTrue(structured(r).get("body").asText().contains("Bearer [secret:api_token]"));
        assertEquals(List.of("api_token"), ctx.revealed);
    }

    @Test
    void fetch_secretWithoutGrantRefusedBeforeSending() {
        ctx.secret("api_token", "s3cr3t-VALUE");
        fails(fetch, ctx, "{\"url\": " + q(a.url("/echo")) + ", \"headers\": {\"Authorization\":"
                + " \"Bearer ${secret:api_token}\"}}", "secret api_token is not available to this agent");
        assertTrue(a.requests.isEmpty());
    }

    @Test
    void fetch_headerInjectionAndReservedHeadersRefused() {
        fails(fetch, ctx, "{\"url\": " + q(a.url("/echo")) + ", \"headers\": {\"X-A\": \"v\\r\\nHost: evil\"}}",
                "outside printable ASCII");
        fails(fetch, ctx, "{\"url\": " + q(a.url("/echo")) + ", \"headers\": {\"Host\": \"evil.example\"}}",
                "is set by the tool");
        fails(fetch, ctx, "{\"url\": " + q(a.url("/echo")) + ", \"headers\": {\"Transfer-Encoding\": \"chunked\"}}",
                "is set by the tool");
        assertTrue(a.requests.isEmpty());
    }

    @Test
    void fetch_badUrlsRefused() {
        fails(fetch, ctx, args("ftp://127.0.0.1/x"), "only http and https");
        fails(fetch, ctx, args("http://user:pw@127.0.0.1:" + a.port() + "/"), "user information");
        fails(fetch, ctx, args("http://127.0.0.1:" + a.port() + "/a b"), "invalid URL");
        fails(fetch, ctx, args("file:///etc/passwd"), "only http and https");
        assertTrue(a.requests.isEmpty());
    }

    @Test
    void fetch_timeoutHonoursTheDeadline() {
        long start = System.nanoTime();
        fails(fetch, Calls.call(ctx, args(a.url("/slow")), Duration.ofMillis(300), new CancellationToken()), "timed out");
        assertTrue(System.nanoTime() - start < TimeUnit.MILLISECONDS.toNanos(2500), "returned near the deadline");
    }

    @Test
    void fetch_cancellationClosesTheConnection() {
        CancellationToken cancel = new CancellationToken();
        CompletableFuture.delayedExecutor(200, TimeUnit.MILLISECONDS).execute(cancel::cancel);
        long start = System.nanoTime();
        fails(fetch, Calls.call(ctx, args(a.url("/slow")), Duration.ofSeconds(20), cancel), "cancelled");
        assertTrue(System.nanoTime() - start < TimeUnit.MILLISECONDS.toNanos(2500));
    }

    @Test
    void wire_connectsToThePinnedAddressNotTheName() throws Exception {
        // "pinned.invalid" cannot resolve (RFC 6761); the exchange must not try.
        HttpWire.Target t = new HttpWire.Target(false, "pinned.invalid", a.port(),
                InetAddress.getByAddress(new byte[] {127, 0, 0, 1}), "/hello");
        HttpWire.Response r = HttpWire.exchange(t, "GET", List.of(), null, 1000,
                java.time.Instant.now().plusSeconds(10), new CancellationToken());
        assertEquals(200, r.status());
        assertEquals("pinned.invalid:" + a.port(), a.requests.get(0).header("Host"));
    }

    @Test
    void fetch_resolvesOncePerHop() throws Exception {
        AtomicInteger lookups = new AtomicInteger();
        List<String> names = new ArrayList<>();
        HttpFetchTool t = new HttpFetchTool(host -> {
            lookups.incrementAndGet();
            names.add(host);
            return new InetAddress[] {InetAddress.getByAddress(host, new byte[] {127, 0, 0, 1})};
        });
        // Literal hosts are never looked up; only names are.
        ok(t, ctx, args(a.url("/same")));
        assertEquals(0, lookups.get());
        FakeContext c = new FakeContext().grant(GrantKind.NET, "svc.invalid");
        fails(t, c, args("http://svc.invalid:" + a.port() + "/hello"), "loopback");
        assertEquals(List.of("svc.invalid"), names);
    }

    @Test
    void scrub_replacesRawAndBase64Values() {
        byte[] out = HttpFetchTool.scrub("a key-123 b a2V5LTEyMw== c".getBytes(StandardCharsets.US_ASCII),
                List.of(revealed("k", "key-123")));
        assertEquals("a [secret:k] b [secret:k] c", new String(out, StandardCharsets.US_ASCII));
        assertTrue(Arrays.equals("none".getBytes(StandardCharsets.US_ASCII),
                HttpFetchTool.scrub("none".getBytes(StandardCharsets.US_ASCII), List.of(revealed("k", "key-123")))));
    }

    private static HttpFetchTool.Revealed revealed(String name, String value) {
        return new HttpFetchTool.Revealed(name, value.getBytes(StandardCharsets.UTF_8));
    }
}
