package dev.agentd.agentctl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RequestTest {

    @Test
    void params_spellTheWireNamesAndOmitAbsentOptionals() {
        Map<Request, Map<String, Object>> expected = new LinkedHashMap<>();
        expected.put(new Request.Spawn("name: x\n", "/a/x.yaml"), Map.of("manifest", "name: x\n", "path", "/a/x.yaml"));
        expected.put(new Request.Spawn("name: x\n", null), Map.of("manifest", "name: x\n"));
        expected.put(new Request.ListAgents(false), Map.of());
        expected.put(new Request.ListAgents(true), Map.of("all", true));
        expected.put(new Request.Status("a"), Map.of("id", "a"));
        expected.put(new Request.Stop("a", 10), Map.of("id", "a", "grace_seconds", 10));
        expected.put(new Request.Stop("a", null), Map.of("id", "a"));
        expected.put(new Request.Kill("a", 9), Map.of("id", "a", "signal", 9));
        expected.put(new Request.Wait("a", 0), Map.of("id", "a", "timeout_seconds", 0L));
        expected.put(new Request.Logs("a", 100, true), Map.of("id", "a", "tail", 100, "follow", true));
        expected.put(new Request.Logs("a", null, false), Map.of("id", "a", "follow", false));
        expected.put(new Request.DaemonStatus(), Map.of());
        expected.put(new Request.AuditList(null, null, false), Map.of());
        expected.put(new Request.AuditList("a", "2026-11-22T00:00:00Z", true),
                Map.of("agent", "a", "since", "2026-11-22T00:00:00Z", "follow", true));
        expected.put(new Request.AuditVerify(), Map.of());
        expected.put(new Request.ToolList("a"), Map.of("id", "a"));
        expected.put(new Request.ToolCall("a", "echo", FakeAgentd.parse("{\"text\": \"hi\"}")),
                Map.of("id", "a", "name", "echo", "arguments", FakeAgentd.parse("{\"text\": \"hi\"}")));
        expected.put(new Request.CapsList("a"), Map.of("id", "a"));
        expected.put(new Request.CapsGrant("a", "tool", "echo", null, null, null),
                Map.of("id", "a", "kind", "tool", "value", "echo"));
        expected.put(new Request.CapsGrant("a", "net", "h:443", 10L, "10/m", "2026-12-01T00:00:00Z"),
                Map.of("id", "a", "kind", "net", "value", "h:443", "max_invocations", 10L, "rate", "10/m",
                        "expires", "2026-12-01T00:00:00Z"));
        expected.put(new Request.CapsRevoke(7), Map.of("grant_id", 7L));
        expected.put(new Request.SecretSet("n", "dmFsdWU="), Map.of("name", "n", "value_base64", "dmFsdWU="));
        expected.put(new Request.SecretList(), Map.of());
        expected.put(new Request.SecretDelete("n"), Map.of("name", "n"));
        expected.put(new Request.ApprovalList(), Map.of());
        expected.put(new Request.ApprovalDecide("x", true), Map.of("id", "x"));
        expected.put(new Request.McpList(), Map.of());
        expected.put(new Request.McpApprove("calc"), Map.of("name", "calc"));
        expected.put(new Request.CheckpointCreate("a", true, false), Map.of("id", "a", "leave_running", true));
        expected.put(new Request.CheckpointCreate("a", false, false), Map.of("id", "a"));
        expected.put(new Request.CheckpointList(null), Map.of());
        expected.put(new Request.CheckpointList("a"), Map.of("agent", "a"));
        expected.put(new Request.CheckpointRestore("c", "n2"), Map.of("id", "c", "name", "n2"));
        expected.put(new Request.CheckpointExport("c", "/f"), Map.of("id", "c", "file", "/f"));
        expected.forEach((req, params) -> assertEquals(params, req.params(), req.toString()));
    }

    @Test
    void method_namesMatchTheAdminApi() {
        List<Request> all = List.of(new Request.Spawn("", null), new Request.ListAgents(false),
                new Request.Status("a"), new Request.Stop("a", 1), new Request.Kill("a", 9),
                new Request.Wait("a", 0), new Request.Logs("a", null, false), new Request.DaemonStatus(),
                new Request.AuditList(null, null, false), new Request.AuditVerify(), new Request.AuditPrune("t"),
                new Request.ToolList("a"),
                new Request.ToolCall("a", "t", Json.object()), new Request.CapsList("a"),
                new Request.CapsGrant("a", "tool", "t", null, null, null), new Request.CapsRevoke(1),
                new Request.SecretSet("n", ""), new Request.SecretList(), new Request.SecretDelete("n"),
                new Request.ApprovalList(), new Request.ApprovalDecide("x", true), new Request.McpList(),
                new Request.McpApprove("calc"), new Request.CheckpointCreate("a", false, false),
                new Request.CheckpointList(null), new Request.CheckpointRemove("c"), new Request.CheckpointExport("c", "/f"),
                new Request.CheckpointImport("/f"), new Request.CheckpointRestore("c", null));
        assertEquals(List.of("agent.spawn", "agent.list", "agent.status", "agent.stop", "agent.kill", "agent.wait",
                "agent.logs", "daemon.status", "audit.list", "audit.verify", "audit.prune", "tool.list", "tool.call", "caps.list",
                "caps.grant", "caps.revoke", "secret.set", "secret.list", "secret.delete", "approval.list",
                "approval.approve", "mcp.list", "mcp.approve", "checkpoint.create", "checkpoint.list", "checkpoint.remove",
                "checkpoint.export", "checkpoint.import", "checkpoint.restore"), all.stream().map(Request::method).toList());
        assertEquals("approval.deny", new Request.ApprovalDecide("x", false).method());
        // The set is closed: these are all the permitted records.
        assertEquals(all.size(), Request.class.getPermittedSubclasses().length);
        assertTrue(Request.class.isSealed());
    }

    @Test
    void secretSet_toStringHidesTheValue() {
        assertTrue(!new Request.SecretSet("n", "c2VjcmV0").toString().contains("c2VjcmV0"));
    }

    @Test
    void params_keepDocumentedOrder() {
        assertEquals(List.of("id", "tail", "follow"),
                List.copyOf(new Request.Logs("a", 1, true).params().keySet()));
    }
}
