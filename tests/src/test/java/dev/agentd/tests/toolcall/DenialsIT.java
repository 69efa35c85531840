package dev.agentd.tests.toolcall;

import static dev.agentd.tests.toolcall.Driver.cmd;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.agentd.tests.support.Dirs;
import dev.agentd.tests.support.Kernel;
import dev.agentd.tests.support.RpcException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Every way a real agent's tool call is refused, from inside the agent, with the
 * error the protocol promises (toolcall-gateway/README.md, "tools/call, in
 * order"): -32602 for tools it does not hold, {@code isError} results saying
 * why for everything else.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class DenialsIT {
    static Agentd agentd;
    static Path granted;
    static Path outside;

    @BeforeAll
    static void start() throws Exception {
        Kernel.requireAgentd();
        agentd = Agentd.inProcess();
        outside = Dirs.temp("tc-outside-");
        Files.writeString(outside.resolve("secret.txt"), "outside the grant\n");
        granted = Dirs.temp("tc-granted-");
        Files.writeString(granted.resolve("inside.txt"), "inside the grant\n");
        Files.setPosixFilePermissions(granted.resolve("inside.txt"), PosixFilePermissions.fromString("rw-r--r--"));
        // A symlink to a file outside, and one to a directory outside.
        Files.createSymbolicLink(granted.resolve("link-out"), outside.resolve("secret.txt"));
        Files.createSymbolicLink(granted.resolve("dir-out"), outside);
        // A hard link of an outside file into the granted directory: the same inode under a second name.
        Files.createLink(granted.resolve("hard.txt"), outside.resolve("secret.txt"));
    }

    @AfterAll
    static void stop() throws IOException {
        if (agentd != null) {
            agentd.close();
        }
        for (Path d : new Path[] {granted, outside}) {
            if (d != null) {
                Dirs.deleteRecursively(d);
            }
        }
    }

    static Map<String, Object> path(Object p) {
        return Map.of("path", p.toString());
    }

    @Test
    void tools_and_files_outside_the_grants_are_refused() throws Exception {
        Driver d = Driver.spawn(agentd, Driver.Spec.named("deny-files")
                .read(granted + "/**")
                .cap("tool: file_read").cap("tool: file_stat").cap("tool: file_list")
                // Only a capability, not part of the sandbox's view: what agentd itself would open.
                .cap("file_read: /proc/**"));

        // Ungranted tool: the spec's JSON-RPC error, nothing run.
        JsonNode r = d.call("file_write", Map.of("path", granted.resolve("x").toString(), "content", "x"));
        assertEquals(-32602, r.path("error").path("code").asInt(), r.toString());
        assertEquals("Unknown tool: file_write", r.path("error").path("message").asText(), r.toString());
        assertFalse(Files.exists(granted.resolve("x")));
        // A tool that does not exist at all reads the same: no probing for tools.
        r = d.call("no_such_tool", Map.of());
        assertEquals(-32602, r.path("error").path("code").asInt(), r.toString());
        assertEquals("Unknown tool: no_such_tool", r.path("error").path("message").asText(), r.toString());

        // Inside the grant: fine.
        JsonNode ok = d.callOk("file_read", path(granted.resolve("inside.txt")));
        assertEquals("inside the grant\n", Driver.text(ok), ok.toString());

        // Outside the grant.
        String why = d.callDenied("file_read", path(outside.resolve("secret.txt")));
        assertTrue(why.contains("no file_read grant covers " + outside.resolve("secret.txt")), why);
        // A symlink inside the grant pointing outside; a path through a symlinked directory.
        why = d.callDenied("file_read", path(granted.resolve("link-out")));
        assertTrue(why.contains("symlinks are not followed") && why.contains("ELOOP"), why);
        why = d.callDenied("file_read", path(granted.resolve("dir-out").resolve("secret.txt")));
        assertTrue(why.contains("symlinks are not followed") && why.contains("ELOOP"), why);
        // "..": never resolved, even when it would stay inside.
        why = d.callDenied("file_read", path(granted + "/../" + outside.getFileName() + "/secret.txt"));
        assertTrue(why.contains("contains \"..\""), why);
        why = d.callDenied("file_read", path(granted + "/sub/../inside.txt"));
        assertTrue(why.contains("contains \"..\""), why);
        // Magic links: /proc/self is a symlink (to agentd's own pid!), /proc/PID/root a magic link.
        why = d.callDenied("file_read", path("/proc/self/root" + outside.resolve("secret.txt")));
        assertTrue(why.contains("ELOOP"), why);
        long agentdPid = ProcessHandle.current().pid();
        long agentPid = agentd.status(d.id).path("pid").asLong();
        for (long pid : new long[] {1, agentdPid, agentPid}) {
            why = d.callDenied("file_read", path("/proc/" + pid + "/root" + outside.resolve("secret.txt")));
            assertTrue(why.contains("magic link") && why.contains("ELOOP"), pid + ": " + why);
            why = d.callDenied("file_read", path("/proc/" + pid + "/cwd/" + "etc/hostname"));
            assertTrue(why.contains("ELOOP"), pid + ": " + why);
        }
        // A hard link of an outside file: refused by its link count; file_stat shows why.
        why = d.callDenied("file_read", path(granted.resolve("hard.txt")));
        assertTrue(why.contains("refused: the file has 2 hard links"), why);
        JsonNode st = d.callOk("file_stat", path(granted.resolve("hard.txt")));
        assertEquals(2, st.path("structuredContent").path("nlink").asInt(), st.toString());
        // None of it was read: the content never reached the agent.
        assertTrue(d.log().stream().noneMatch(l -> l.contains("outside the grant")), String.join("\n", d.log()));

        // The audit log says which calls were refused by their path check, and why; an allowed
        // call names its grant; one record per call (no separate broker authorization record).
        List<JsonNode> records = agentd.auditRecords(d.id);
        JsonNode refused = records.stream().filter(a -> a.path("event").asText().equals("toolcall")
                && a.path("details").path("args_preview").asText().contains(outside.resolve("secret.txt").toString()))
                .findFirst().orElseThrow(() -> new AssertionError("no record of the refused read: " + records));
        assertEquals("refused", refused.path("details").path("decision").asText(), refused.toString());
        assertTrue(refused.path("details").path("reason").asText().contains("no file_read grant covers"), refused.toString());
        assertFalse(refused.path("details").has("error"), refused.toString());
        JsonNode allowed = records.stream().filter(a -> a.path("event").asText().equals("toolcall")
                && a.path("details").path("args_preview").asText().contains("inside.txt"))
                .findFirst().orElseThrow(() -> new AssertionError("no record of the allowed read: " + records));
        assertEquals("allowed", allowed.path("details").path("decision").asText(), allowed.toString());
        assertEquals(agentd.grant(d.id, "tool", "file_read").path("id").asLong(), allowed.path("details").path("grant").asLong(),
                allowed.toString());
        assertTrue(records.stream().noneMatch(a -> a.path("event").asText().equals("broker.authorized")), records.toString());
    }

    @Test
    void http_fetch_is_held_to_its_net_grants_and_each_redirect() throws Exception {
        try (LocalHttp web = LocalHttp.start(); LocalHttp other = LocalHttp.start()) {
            int port = web.port();
            web.route("/ok", q -> LocalHttp.Answer.ok("hello from loopback"));
            web.route("/away", q -> LocalHttp.Answer.redirect(other.url("/ok")));
            web.route("/by-name", q -> LocalHttp.Answer.redirect("http://localhost:" + port + "/ok"));
            web.route("/home", q -> LocalHttp.Answer.redirect("/ok"));
            other.route("/ok", q -> LocalHttp.Answer.ok("must not be fetched"));
            Driver d = Driver.spawn(agentd, Driver.Spec.named("deny-net")
                    .cap("tool: http_fetch")
                    .cap("net: 127.0.0.1:" + port)      // a literal loopback address: allowed
                    .cap("net: localhost:" + port));     // a name: must not lead to loopback

            JsonNode ok = d.callOk("http_fetch", Map.of("url", web.url("/ok")));
            assertEquals(200, ok.path("structuredContent").path("status").asInt(), ok.toString());
            assertEquals("hello from loopback", ok.path("structuredContent").path("body").asText(), ok.toString());
            // A redirect within the grant is followed.
            ok = d.callOk("http_fetch", Map.of("url", web.url("/home")));
            assertEquals(1, ok.path("structuredContent").path("redirects").asInt(), ok.toString());

            // A host name that resolves to loopback borrows nothing from the literal grant.
            String why = d.callDenied("http_fetch", Map.of("url", "http://localhost:" + port + "/ok"));
            assertTrue(why.contains("resolves to 127.0.0.1, a loopback address")
                    && why.contains("refused unless a net grant names that address itself"), why);
            // A redirect to a port no grant covers.
            why = d.callDenied("http_fetch", Map.of("url", web.url("/away")));
            assertTrue(why.contains("net 127.0.0.1:" + other.port()) && why.contains("denied: no grant for net"), why);
            // A redirect to a granted name that resolves to loopback: re-checked like the first request.
            why = d.callDenied("http_fetch", Map.of("url", web.url("/by-name")));
            assertTrue(why.contains("resolves to 127.0.0.1, a loopback address"), why);
            // Private and metadata addresses without a grant: refused before any connection.
            for (String url : List.of("http://10.0.0.1/", "http://169.254.169.254/latest/meta-data/", "http://[::1]:" + port + "/ok")) {
                why = d.callDenied("http_fetch", Map.of("url", url));
                assertTrue(why.contains("denied: no grant for net"), url + ": " + why);
            }
            assertTrue(other.requests().isEmpty(), "the redirect target outside the grant was contacted: " + other.requests());
            assertEquals(List.of("/ok", "/home", "/ok", "/away", "/by-name"), web.requests().stream()
                    .map(LocalHttp.Request::path).toList());
        }
    }

    @Test
    void a_checkpoint_is_refused_while_a_call_awaits_approval() throws Exception {
        Driver d = Driver.spawn(agentd, Driver.Spec.named("ckpt-approval").cap("tool: echo").approval("echo"));
        d.send(cmd("op", "call", "name", "echo", "arguments", Map.of("text", "checkpoint me?")));
        JsonNode pending = Approvals.awaitPending(agentd, d.id, List.of());
        String approval = pending.path("id").asText();
        dev.agentd.tests.support.RpcException e = assertThrows(dev.agentd.tests.support.RpcException.class,
                () -> agentd.call("checkpoint.create", Map.of("id", d.id, "leave_running", true)));
        assertTrue(e.getMessage().contains("waiting for approval") && e.getMessage().contains(approval), e.getMessage());
        assertEquals("running", agentd.call("agent.status", Map.of("id", d.id)).path("state").asText());
        agentd.call("approval.deny", Map.of("id", approval));
    }

    @Test
    void approval_required_blocks_until_an_admin_decides_and_is_single_use() throws Exception {
        Driver d = Driver.spawn(agentd, Driver.Spec.named("deny-approval").cap("tool: echo").approval("echo"));
        Map<String, Object> args = Map.of("text", "may I?");

        // Denied.
        int n = d.send(cmd("op", "call", "name", "echo", "arguments", args));
        JsonNode first = Approvals.awaitPending(agentd, d.id, List.of());
        assertEquals("echo", first.path("tool").asText(), first.toString());
        assertTrue(first.path("preview").asText().contains("may I?"), first.toString());
        assertEquals("pending", first.path("state").asText(), first.toString());
        Duration ttl = Duration.between(Instant.parse(first.path("created_at").asText()),
                Instant.parse(first.path("expires_at").asText()));
        assertTrue(!ttl.isNegative() && !ttl.isZero() && ttl.compareTo(Duration.ofMinutes(10)) <= 0,
                "an approval request expires, within 10 minutes: " + first);
        assertFalse(d.answered(n), "the call must wait for the decision");
        JsonNode denied = agentd.call("approval.deny", Map.of("id", first.path("id").asText()));
        assertEquals("denied", denied.path("state").asText(), denied.toString());
        JsonNode r = d.await(n);
        assertTrue(r.path("result").path("isError").asBoolean(), r.toString());
        assertEquals("approval denied or expired", Driver.text(r.path("result")), r.toString());
        // A decided approval cannot be decided again.
        try {
            agentd.call("approval.approve", Map.of("id", first.path("id").asText()));
            throw new AssertionError("approving a denied approval must fail");
        } catch (RpcException e) {
            assertTrue(e.getMessage().contains("denied"), e.toString());
        }

        // Approved.
        n = d.send(cmd("op", "call", "name", "echo", "arguments", args));
        JsonNode second = Approvals.awaitPending(agentd, d.id, List.of(first.path("id").asText()));
        assertFalse(d.answered(n));
        assertEquals("approved", agentd.call("approval.approve", Map.of("id", second.path("id").asText()))
                .path("state").asText());
        r = d.await(n);
        assertFalse(r.path("result").path("isError").asBoolean(true), r.toString());
        assertEquals("may I?", Driver.text(r.path("result")));

        // Single use: the same call again needs a new approval.
        n = d.send(cmd("op", "call", "name", "echo", "arguments", args));
        JsonNode third = Approvals.awaitPending(agentd, d.id, List.of(first.path("id").asText(), second.path("id").asText()));
        assertNotEquals(second.path("id").asText(), third.path("id").asText());
        assertFalse(d.answered(n), "an approval is used up by the call it approved");
        agentd.call("approval.deny", Map.of("id", third.path("id").asText()));
        assertTrue(d.await(n).path("result").path("isError").asBoolean(), "denied");

        // Only the approved call spent an invocation; the list holds no pending request of this agent.
        assertEquals(1, agentd.grant(d.id, "tool", "echo").path("used").asInt());
        assertTrue(Approvals.pending(agentd, d.id).isEmpty(), Approvals.pending(agentd, d.id).toString());
        List<String> decisions = agentd.auditRecords(d.id).stream()
                .filter(a -> a.path("event").asText().equals("toolcall"))
                .map(a -> a.path("details").path("decision").asText()).toList();
        assertEquals(List.of("approval denied", "allowed", "approval denied"), decisions);
    }

    /**
     * A used-up file grant is refused with the broker's reason, as a used-up
     * tool or net grant is — not as if the agent had never held one.
     */
    @Test
    void an_exhausted_file_grant_is_refused_with_its_reason() throws Exception {
        Path file = outside.resolve("once.txt");
        Files.writeString(file, "read me once\n");
        Driver d = Driver.spawn(agentd, Driver.Spec.named("deny-once")
                .cap("tool: file_read").cap("file_read: " + file + ", max_invocations: 1"));
        assertEquals("read me once\n", Driver.text(d.callOk("file_read", path(file))));
        String why = d.callDenied("file_read", path(file));
        JsonNode g = agentd.grant(d.id, "file_read", file.toString());
        assertEquals("exhausted", g.path("state").asText(), g.toString());
        assertTrue(why.contains("exhausted: 1 of 1 invocations used"), "the reason, not \"no grant\": " + why);
    }

    @Test
    void exhausted_and_expired_grants_are_refused_with_reasons() throws Exception {
        try (LocalHttp web = LocalHttp.start()) {
            web.route("/ok", q -> LocalHttp.Answer.ok("ok"));
            int port = web.port();
            Driver d = Driver.spawn(agentd, Driver.Spec.named("deny-limits")
                    .cap("tool: echo, max_invocations: 2")
                    .cap("tool: file_stat, expires: 5s")
                    .cap("tool: file_list, rate: 2/m")
                    .cap("tool: http_fetch")
                    .cap("net: 127.0.0.1:" + port + ", max_invocations: 2"));
            Instant started = Instant.parse(agentd.status(d.id).path("created_at").asText());
            // (Expiring 5 s after the agent's start: used first, checked again at the end.)
            d.callOk("file_stat", Map.of("path", Driver.CLIENT_DIR.toString()));

            // Exhausted: two calls, then refused with the reason (the tool stays the agent's, used up).
            d.callOk("echo", Map.of("text", "1"));
            d.callOk("echo", Map.of("text", "2"));
            String why = d.callDenied("echo", Map.of("text", "3"));
            assertTrue(why.startsWith("denied: grant ") && why.contains("exhausted: 2 of 2 invocations used"), why);
            JsonNode echo = agentd.grant(d.id, "tool", "echo");
            assertEquals("exhausted", echo.path("state").asText(), echo.toString());
            assertTrue(echo.path("reason").asText().contains("exhausted: 2 of 2 invocations used"), echo.toString());
            assertEquals(2, echo.path("used").asInt(), "the refused call spent nothing: " + echo);

            // A net grant's budget: the reason reaches the agent in the result.
            d.callOk("http_fetch", Map.of("url", web.url("/ok")));
            d.callOk("http_fetch", Map.of("url", web.url("/ok")));
            why = d.callDenied("http_fetch", Map.of("url", web.url("/ok")));
            assertTrue(why.contains("denied: grant ") && why.contains("exhausted: 2 of 2 invocations used"), why);
            assertEquals(2, web.requests().size(), "the third fetch never left agentd");

            // Over its rate: refused for now, with when to try again.
            d.callOk("file_list", Map.of("path", Driver.CLIENT_DIR.toString()));
            d.callOk("file_list", Map.of("path", Driver.CLIENT_DIR.toString()));
            why = d.callDenied("file_list", Map.of("path", Driver.CLIENT_DIR.toString()));
            assertTrue(why.startsWith("denied: grant ") && why.contains("rate 2/m exceeded (next call allowed in"), why);

            // Expired: usable before, refused after (counted from the agent's start).
            long wait = Duration.between(Instant.now(), started.plusSeconds(5)).toMillis() + 300;
            if (wait > 0) {
                Thread.sleep(wait);
            }
            why = d.callDenied("file_stat", Map.of("path", Driver.CLIENT_DIR.toString()));
            assertTrue(why.startsWith("denied: grant ") && why.contains("expired at"), why);
            JsonNode stat = agentd.grant(d.id, "tool", "file_stat");
            assertEquals("expired", stat.path("state").asText(), stat.toString());
            assertTrue(stat.path("reason").asText().contains("expired at"), stat.toString());
            // Used-up, expired and rate-limited tools stay listed (a call says why); only a revoked one disappears.
            List<String> names = new ArrayList<>();
            d.run(cmd("op", "list")).path("result").path("tools").forEach(t -> names.add(t.path("name").asText()));
            assertEquals(List.of("echo", "file_list", "file_stat", "http_fetch"), names);
            agentd.call("caps.revoke", Map.of("grant_id", echo.path("id").asLong()));
            JsonNode r = d.call("echo", Map.of("text", "4"));
            assertEquals(-32602, r.path("error").path("code").asInt(), r.toString());
            assertEquals("Unknown tool: echo", r.path("error").path("message").asText(), r.toString());
        }
    }
}
