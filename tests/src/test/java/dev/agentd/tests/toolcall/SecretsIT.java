package dev.agentd.tests.toolcall;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.agentd.tests.support.Kernel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Secrets: an agent with {@code secret: NAME} makes agentd send a secret in an
 * HTTP header ({@code ${secret:NAME}}) without ever seeing it — not in the tool
 * result, not in its log, not in the audit log — and an agent without the
 * grant cannot use it.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class SecretsIT {
    static Agentd agentd;

    @BeforeAll
    static void start() throws Exception {
        Kernel.requireAgentd();
        agentd = Agentd.inProcess();
    }

    @AfterAll
    static void stop() {
        if (agentd != null) {
            agentd.close();
        }
    }

    @Test
    void a_secret_reaches_the_server_and_nothing_else() throws Exception {
        byte[] raw = new byte[24];
        new SecureRandom().nextBytes(raw);
        String value = "tok-" + HexFormat.of().formatHex(raw);
        String b64 = Base64.getEncoder().encodeToString(value.getBytes(StandardCharsets.UTF_8));
        String name = "tok" + Long.toHexString(System.nanoTime());
        assertEquals(name, agentd.call("secret.set", Map.of("name", name, "value_base64", b64)).path("name").asText());
        assertTrue(agentd.call("secret.list", Map.of()).toString().contains(name));
        assertFalse(agentd.call("secret.list", Map.of()).toString().contains(value), "secret.list shows names only");

        try (LocalHttp web = LocalHttp.start(); LocalHttp elsewhere = LocalHttp.start()) {
            // A server that repeats what it was sent: in the body, base64 too, and in a response header.
            web.route("/echo", q -> new LocalHttp.Answer(200, Map.of("ETag", String.valueOf(q.header("Authorization"))),
                    "you sent " + q.header("Authorization") + " / " + Base64.getEncoder().encodeToString(
                            String.valueOf(q.header("Authorization")).substring("Bearer ".length()).getBytes(StandardCharsets.UTF_8))));
            web.route("/bounce", q -> LocalHttp.Answer.redirect(elsewhere.url("/landing")));
            elsewhere.route("/landing", q -> LocalHttp.Answer.ok("landed"));

            Driver holder = Driver.spawn(agentd, Driver.Spec.named("secret-holder")
                    .cap("tool: http_fetch").cap("secret: " + name)
                    .cap("net: 127.0.0.1:" + web.port()).cap("net: 127.0.0.1:" + elsewhere.port()));
            Map<String, Object> headers = Map.of("Authorization", "Bearer ${secret:" + name + "}");
            JsonNode r = holder.callOk("http_fetch", Map.of("url", web.url("/echo"), "headers", headers));

            // The server got the value.
            assertEquals("Bearer " + value, web.requests().get(0).header("Authorization"));
            // The agent got a result with the value (and its base64) replaced.
            String result = r.toString();
            assertFalse(result.contains(value), result);
            assertFalse(result.contains(b64), result);
            assertEquals("you sent Bearer [secret:" + name + "] / [secret:" + name + "]",
                    r.path("structuredContent").path("body").asText(), result);
            assertEquals("Bearer [secret:" + name + "]", r.path("structuredContent").path("headers").path("etag").asText(), result);

            // A redirect to another origin: the secret header is not sent there.
            JsonNode b = holder.callOk("http_fetch", Map.of("url", web.url("/bounce"), "headers", headers));
            assertEquals("landed", b.path("structuredContent").path("body").asText(), b.toString());
            assertEquals(1, elsewhere.requests().size());
            assertNull(elsewhere.requests().get(0).header("Authorization"), "the secret followed a cross-origin redirect");

            // An agent without the grant cannot use it, and nothing is sent.
            Driver stranger = Driver.spawn(agentd, Driver.Spec.named("secret-stranger")
                    .cap("tool: http_fetch").cap("net: 127.0.0.1:" + web.port()));
            int before = web.requests().size();
            String why = stranger.callDenied("http_fetch", Map.of("url", web.url("/echo"), "headers", headers));
            assertTrue(why.contains("secret " + name + " is not available to this agent"), why);
            assertEquals(before, web.requests().size(), "a request went out without the secret grant");

            // Nowhere else: the agents' logs, the audit log (admin API and agentd's stdout), the databases on disk.
            List<String> places = new ArrayList<>();
            places.add(String.join("\n", holder.log()));
            places.add(String.join("\n", stranger.log()));
            places.add(agentd.auditRecords(null).toString());
            places.add(String.join("\n", agentd.audit().lines()));
            for (String p : places) {
                assertFalse(p.contains(value), "the secret leaked: " + p);
                assertFalse(p.contains(b64), "the secret's base64 leaked: " + p);
            }
            assertTrue(agentd.auditRecords(holder.id).stream().anyMatch(a -> a.path("event").asText().equals("toolcall")
                    && a.path("details").path("args_preview").asText().contains("\"Authorization\":\"***\"")),
                    "the audit's preview of the arguments masks the credential header");
            try (Stream<Path> files = Files.walk(agentd.config().stateDir())) {
                for (Path f : files.filter(Files::isRegularFile).filter(f -> !f.toString().contains("/agents/")).toList()) {
                    String bytes = new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1);
                    assertFalse(bytes.contains(value), "the secret is stored in clear in " + f);
                }
            }
        }
    }
}
