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
        expected.forEach((req, params) -> assertEquals(params, req.params(), req.toString()));
    }

    @Test
    void method_namesMatchTheAdminApi() {
        List<Request> all = List.of(new Request.Spawn("", null), new Request.ListAgents(false),
                new Request.Status("a"), new Request.Stop("a", 1), new Request.Kill("a", 9),
                new Request.Wait("a", 0), new Request.Logs("a", null, false), new Request.DaemonStatus());
        assertEquals(List.of("agent.spawn", "agent.list", "agent.status", "agent.stop", "agent.kill", "agent.wait",
                "agent.logs", "daemon.status"), all.stream().map(Request::method).toList());
        // The set is closed: these are all the permitted records.
        assertEquals(all.size(), Request.class.getPermittedSubclasses().length);
        assertTrue(Request.class.isSealed());
    }

    @Test
    void params_keepDocumentedOrder() {
        assertEquals(List.of("id", "tail", "follow"),
                List.copyOf(new Request.Logs("a", 1, true).params().keySet()));
    }
}
