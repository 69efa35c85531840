package dev.agentd.tests.toolcall;

import static dev.agentd.tests.toolcall.Driver.cmd;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.agentd.tests.support.Kernel;
import dev.agentd.tests.support.Manifests;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Delegation through the {@code spawn_agent} tool, with real agents: a child
 * gets only what its parent holds ("you can only give what you have"), its
 * calls spend the parent's budget, and revoking the parent's grant cuts off
 * every agent that got it from the parent, down the chain.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class DelegationIT {
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

    /** A driver agent's manifest text, as a parent passes it to spawn_agent. */
    static String childManifest(String name, String... caps) {
        Driver.Spec s = new Driver.Spec(name);
        for (String c : caps) {
            s.cap(c);
        }
        return s.yaml();
    }

    /** spawn_agent from {@code parent}; the child's driver once it runs. */
    static Driver spawnChild(Driver parent, String manifest) throws IOException {
        JsonNode r = parent.callOk("spawn_agent", Map.of("manifest", manifest));
        String id = r.path("structuredContent").path("id").asText();
        assertFalse(id.isEmpty(), r.toString());
        return Driver.attach(agentd, id);
    }

    @Test
    void children_get_only_what_the_parent_has_share_its_budget_and_lose_it_with_the_parent() throws Exception {
        String child = Manifests.name("child");
        String grandchild = Manifests.name("grandchild");
        String greedy = Manifests.name("greedy");
        Driver parent = Driver.spawn(agentd, Driver.Spec.named("parent")
                .cap("tool: spawn_agent")
                .cap("spawn: " + child).cap("spawn: " + grandchild).cap("spawn: " + greedy)
                .cap("tool: echo, max_invocations: 5"));
        long parentEcho = agentd.grant(parent.id, "tool", "echo").path("id").asLong();

        // A child asking for a tool the parent lacks: refused, with the delegation's reason.
        String why = parent.callDenied("spawn_agent", Map.of("manifest", childManifest(greedy, "tool: echo", "tool: exec")));
        assertTrue(why.contains("cannot delegate") && why.contains("exec") && why.contains("can only give what it has"), why);
        // One asking for more invocations than the parent has: refused too.
        why = parent.callDenied("spawn_agent", Map.of("manifest", childManifest(greedy, "tool: echo, max_invocations: 50")));
        assertTrue(why.contains("cannot delegate") && why.contains("invocations"), why);
        // A name the parent holds no spawn grant for.
        why = parent.callDenied("spawn_agent", Map.of("manifest", childManifest(Manifests.name("stranger"), "tool: echo")));
        assertTrue(why.contains("denied: no grant for spawn"), why);

        // Within the parent's grants: a child, and its own child.
        Driver c = spawnChild(parent, childManifest(child, "tool: echo", "tool: spawn_agent", "spawn: " + grandchild));
        Driver g = spawnChild(c, childManifest(grandchild, "tool: echo"));
        JsonNode cEcho = agentd.grant(c.id, "tool", "echo");
        JsonNode gEcho = agentd.grant(g.id, "tool", "echo");
        assertEquals(parentEcho, cEcho.path("parent_grant_id").asLong(), cEcho.toString());
        assertEquals(cEcho.path("id").asLong(), gEcho.path("parent_grant_id").asLong(), gEcho.toString());
        assertEquals(List.of("agent:" + g.id, "agent:" + c.id, "agent:" + parent.id, "admin:0"),
                strings(agentd.caps(g.id).path("on_behalf_of")));

        // Shared counters: every call down the chain spends the parent's budget of 5.
        parent.callOk("echo", Map.of("text", "parent"));
        c.callOk("echo", Map.of("text", "child 1"));
        c.callOk("echo", Map.of("text", "child 2"));
        g.callOk("echo", Map.of("text", "grandchild"));
        assertEquals(4, agentd.grant(parent.id, "tool", "echo").path("used").asInt(), agentd.caps(parent.id).toString());
        assertEquals(3, agentd.grant(c.id, "tool", "echo").path("used").asInt(), agentd.caps(c.id).toString());
        assertEquals(1, agentd.grant(g.id, "tool", "echo").path("used").asInt(), agentd.caps(g.id).toString());

        // Revoking the parent's grant cuts off the child and the grandchild.
        JsonNode revoked = agentd.call("caps.revoke", Map.of("grant_id", parentEcho));
        assertTrue(strings(revoked.path("agents")).containsAll(List.of(parent.id, c.id, g.id)), revoked.toString());
        for (Driver d : List.of(parent, c, g)) {
            JsonNode r = d.call("echo", Map.of("text", "after the revocation"));
            assertEquals(-32602, r.path("error").path("code").asInt(), d.id + ": " + r);
            assertEquals("Unknown tool: echo", r.path("error").path("message").asText(), d.id + ": " + r);
            JsonNode grant = agentd.grant(d.id, "tool", "echo");
            assertTrue(grant.path("revoked").asBoolean(), grant.toString());
            assertEquals("revoked", grant.path("state").asText(), grant.toString());
            assertTrue(grant.path("reason").asText().contains("revoked"), grant.toString());
            // Its clients were told the tool list changed.
            JsonNode notes = d.run(cmd("op", "notes")).path("result");
            assertTrue(notes.toString().contains("notifications/tools/list_changed"), d.id + ": " + notes);
            List<String> names = new ArrayList<>();
            d.run(cmd("op", "list")).path("result").path("tools").forEach(t -> names.add(t.path("name").asText()));
            assertFalse(names.contains("echo"), d.id + ": " + names);
        }
        // Nothing was spent by the refused calls.
        assertEquals(4, agentd.grant(parent.id, "tool", "echo").path("used").asInt());
        // The delegation is on record: each child registered on behalf of its parent.
        assertTrue(agentd.auditRecords(c.id).stream().anyMatch(a -> a.path("event").asText().equals("broker.agent_registered")
                && a.path("details").path("parent").asText().equals(parent.id)), agentd.auditRecords(c.id).toString());
    }

    @Test
    void a_childs_budget_cannot_outlast_the_parents() throws Exception {
        String child = Manifests.name("frugal");
        Driver parent = Driver.spawn(agentd, Driver.Spec.named("budget")
                .cap("tool: spawn_agent").cap("spawn: " + child).cap("tool: echo, max_invocations: 3"));
        Driver c = spawnChild(parent, childManifest(child, "tool: echo"));
        c.callOk("echo", Map.of("text", "1"));
        c.callOk("echo", Map.of("text", "2"));
        parent.callOk("echo", Map.of("text", "3"));
        // The parent's budget is spent: the child's unlimited-looking grant is spent with it.
        String why = c.callDenied("echo", Map.of("text", "4"));
        assertTrue(why.contains("exhausted: 3 of 3 invocations used") && why.contains("narrowed from it"), why);
        why = parent.callDenied("echo", Map.of("text", "5"));
        assertTrue(why.contains("exhausted: 3 of 3 invocations used"), why);
    }

    /**
     * docs/admin-api.md: {@code caps.revoke} answers {@code {"revoked": [7, 9], ...}}, "the
     * grant and every grant derived from it".
     */
    @Test
    void revoke_reports_every_grant_it_revoked() throws Exception {
        String child = Manifests.name("heir");
        Driver parent = Driver.spawn(agentd, Driver.Spec.named("testator")
                .cap("tool: spawn_agent").cap("spawn: " + child).cap("tool: echo"));
        Driver c = spawnChild(parent, childManifest(child, "tool: echo"));
        long parentEcho = agentd.grant(parent.id, "tool", "echo").path("id").asLong();
        long childEcho = agentd.grant(c.id, "tool", "echo").path("id").asLong();
        JsonNode r = agentd.call("caps.revoke", Map.of("grant_id", parentEcho));
        assertTrue(agentd.grant(c.id, "tool", "echo").path("revoked").asBoolean(), "the derived grant is revoked");
        List<Long> ids = new ArrayList<>();
        r.path("revoked").forEach(x -> ids.add(x.asLong()));
        assertTrue(ids.contains(parentEcho) && ids.contains(childEcho),
                "\"revoked\" must list the derived grant " + childEcho + " too: " + r);
    }

    /**
     * The spawn depth limit as documented (Supervisor.MAX_SPAWN_DEPTH = 3, "a
     * top-level agent is depth 0"; spawn_agent's description: "Depth is limited
     * to 3"): a top-level agent's great-grandchild (depth 3) may run, its child
     * (depth 4) may not.
     */
    @Test
    void spawn_depth_is_limited_to_three_below_a_top_level_agent() throws Exception {
        List<String> names = new ArrayList<>();
        for (int i = 1; i <= 4; i++) {
            names.add(Manifests.name("depth" + i));
        }
        Driver.Spec top = Driver.Spec.named("depth0").cap("tool: spawn_agent").cap("tool: echo");
        names.forEach(n -> top.cap("spawn: " + n));
        Driver d = Driver.spawn(agentd, top);
        for (int depth = 1; depth <= 3; d = d) {
            List<String> caps = new ArrayList<>(List.of("tool: spawn_agent", "tool: echo"));
            names.subList(depth, names.size()).forEach(n -> caps.add("spawn: " + n));
            JsonNode r = d.call("spawn_agent", Map.of("manifest", childManifest(names.get(depth - 1), caps.toArray(String[]::new))));
            assertFalse(r.path("result").path("isError").asBoolean(true), "depth " + depth + " must be allowed: " + r);
            d = Driver.attach(agentd, r.path("result").path("structuredContent").path("id").asText());
            d.callOk("echo", Map.of("text", "at depth " + depth));
            depth++;
        }
        String why = d.callDenied("spawn_agent", Map.of("manifest", childManifest(names.get(3), "tool: echo")));
        assertTrue(why.contains("spawn depth limit 3"), why);
    }

    private static List<String> strings(JsonNode arr) {
        List<String> out = new ArrayList<>();
        arr.forEach(n -> out.add(n.asText()));
        return out;
    }
}
