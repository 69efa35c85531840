package dev.agentd.toolcall;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.agentd.broker.Broker;
import dev.agentd.broker.BrokerListener;
import dev.agentd.broker.Grant;
import dev.agentd.broker.GrantKind;
import dev.agentd.broker.GrantRequest;
import dev.agentd.broker.Principal;
import dev.agentd.broker.SecretVault;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The gateway on the real broker and vault through {@link Authorizer#forAgent}, as agentd wires it. */
class BrokerIntegrationTest {
    @TempDir
    Path dir;

    @Test
    void grantsDecideListAndCalls_countersAreConsumed_revocationAndSecretsWork() throws Exception {
        try (Broker broker = Broker.open(dir.resolve("agentd.db"), Clock.systemUTC(), BrokerListener.NONE)) {
            SecretVault vault = SecretVault.open(dir.resolve("vault.key"), broker);
            vault.set("API", "s3cr3t-value-123".getBytes(StandardCharsets.UTF_8));
            List<Grant> grants = broker.registerAgent("a1", null, Principal.admin(0), List.of(
                    GrantRequest.of(GrantKind.TOOL, "echo").withMaxInvocations(2),
                    GrantRequest.of(GrantKind.TOOL, "add").withRate(dev.agentd.broker.Rate.parse("1/h")),
                    GrantRequest.of(GrantKind.TOOL, "leak"),
                    GrantRequest.of(GrantKind.SECRET, "API")));
            Tool leak = TestTools.tool("leak", TestTools.ANY, Optional.empty(), call -> ToolResult.text(
                    "key=" + new String(call.context().revealSecret("API").orElseThrow(), StandardCharsets.UTF_8)));
            GatewayConfig cfg = GatewayConfig.builder("a1", dir.resolve("a1.sock"), Harness.myUid(dir))
                    .redactor(vault.scrubber()::scrub).build();
            List<CallRecord> records = new java.util.concurrent.CopyOnWriteArrayList<>();
            try (Gateway g = Gateway.open(cfg, ToolRegistry.of(TestTools.echo(), TestTools.add(), TestTools.big(), leak),
                    Authorizer.forAgent("a1", broker, vault, ApprovalGate.NONE), records::add);
                 RawClient c = new RawClient(g.socketPath())) {
                assertEquals(List.of("add", "echo", "leak"), names(c.request(1, "tools/list", null)));
                assertFalse(RawClient.isError(c.call(2, "echo", "{\"text\":\"1\"}")));
                assertFalse(RawClient.isError(c.call(3, "echo", "{\"text\":\"2\"}")));
                // Used up: the grant is gone from the live set, so the tool is unknown now.
                JsonNode third = c.call(4, "echo", "{\"text\":\"3\"}");
                assertEquals("Unknown tool: echo", third.at("/error/message").asText());
                assertEquals(List.of("add", "leak"), names(c.request(41, "tools/list", null)));
                // Over its rate: still the agent's tool, and the model reads why it was refused.
                assertFalse(RawClient.isError(c.call(42, "add", "{\"a\":1,\"b\":2}")));
                JsonNode limited = c.call(43, "add", "{\"a\":1,\"b\":2}");
                assertTrue(RawClient.isError(limited), limited.toString());
                assertTrue(RawClient.text(limited).startsWith("denied: "), RawClient.text(limited));
                assertEquals(List.of("add", "leak"), names(c.request(44, "tools/list", null)), "no flicker");
                assertEquals(-32602, c.call(5, "big", "{\"n\":1}").at("/error/code").asInt(), "registered but not granted");

                JsonNode leaked = c.call(6, "leak", "{}");
                assertFalse(leaked.toString().contains("s3cr3t-value-123"), leaked.toString());
                assertTrue(RawClient.text(leaked).startsWith("key=[secret:"), RawClient.text(leaked));

                long addGrant = grants.get(1).id();
                Set<String> affected = broker.revoke(addGrant, Principal.admin(0));
                assertEquals(Set.of("a1"), affected);
                g.sendListChanged();
                assertEquals("notifications/tools/list_changed", c.next().get("method").asText());
                assertFalse(names(c.request(7, "tools/list", null)).contains("add"));
                assertEquals("Unknown tool: add", c.call(8, "add", "{\"a\":1,\"b\":2}").at("/error/message").asText());
                assertTrue(records.stream().anyMatch(r -> r.decision().startsWith("denied: ")));
            }
        }
    }

    private static List<String> names(JsonNode listAnswer) {
        List<String> out = new ArrayList<>();
        listAnswer.at("/result/tools").forEach(t -> out.add(t.get("name").asText()));
        return out;
    }
}
