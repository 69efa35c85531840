package dev.agentd.daemon;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agentd.broker.ApprovalRequest;
import dev.agentd.broker.BrokerException;
import dev.agentd.broker.Grant;
import dev.agentd.broker.GrantKind;
import dev.agentd.broker.GrantRequest;
import dev.agentd.broker.GrantStatus;
import dev.agentd.broker.Principal;
import dev.agentd.broker.Rate;
import dev.agentd.toolcall.tools.HttpFetchTool;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Base64;
import java.util.Set;

/**
 * The admin methods over capabilities, secrets and approvals
 * ({@code caps.*}, {@code secret.*}, {@code approval.*}); see
 * docs/admin-api.md. Every change is audited by the broker's events, with
 * the admin as the acting principal.
 */
final class CapsApi {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final Supervisor supervisor;
    private final Capabilities caps;
    private final Runnable grantsChanged;
    private final McpServers mcp;
    private volatile Toolcalls toolcalls;

    /**
     * @param grantsChanged called after a grant or revocation, so running agents'
     *                      gateways can send {@code notifications/tools/list_changed}
     */
    CapsApi(Supervisor supervisor, Capabilities caps, Runnable grantsChanged, McpServers mcp) {
        this.mcp = mcp;
        this.supervisor = supervisor;
        this.caps = caps;
        this.grantsChanged = grantsChanged;
    }

    void toolcalls(Toolcalls t) {
        this.toolcalls = t;
    }

    JsonNode dispatch(String method, JsonNode p, int actor) throws AgentdException {
        try {
            switch (method) {
                case "tool.list": {
                    ObjectNode r = JSON.createObjectNode();
                    ArrayNode a = r.putArray("tools");
                    for (dev.agentd.toolcall.Tool t : toolcalls.visibleTools(agent(p))) {
                        ObjectNode o = a.addObject();
                        o.put("name", t.name());
                        o.put("description", t.description());
                        o.set("inputSchema", t.inputSchema());
                        t.outputSchema().ifPresent(s -> o.set("outputSchema", s));
                    }
                    return r;
                }
                case "tool.call": {
                    JsonNode args = p.path("arguments").isObject() ? p.get("arguments") : JSON.createObjectNode();
                    dev.agentd.toolcall.ToolResult res = toolcalls.callAsAdmin(agent(p), text(p, "name"), args, actor);
                    ObjectNode r = JSON.createObjectNode();
                    ArrayNode c = r.putArray("content");
                    res.content().forEach(c::add);
                    res.structuredContent().ifPresent(s -> r.set("structuredContent", s));
                    r.put("isError", res.isError());
                    return r;
                }
                case "caps.list":
                    return list(agent(p));
                case "caps.grant":
                    return grant(agent(p), p, actor);
                case "caps.revoke": {
                    if (!p.path("grant_id").canConvertToLong()) {
                        throw new AgentdException(AgentdException.INVALID_PARAMS, "missing parameter \"grant_id\" (a number)");
                    }
                    long root = p.get("grant_id").asLong();
                    Set<String> agents = caps.broker().revoke(root, Principal.admin(actor));
                    grantsChanged.run();
                    ObjectNode r = JSON.createObjectNode();
                    ArrayNode revoked = r.putArray("revoked");
                    revoked.add(root);
                    // Every grant narrowed from it, in every affected agent.
                    java.util.Map<Long, Grant> byId = new java.util.HashMap<>();
                    for (String a : agents) {
                        for (GrantStatus s : caps.broker().grants(a)) {
                            byId.put(s.grant().id(), s.grant());
                        }
                    }
                    for (Grant g : byId.values()) {
                        for (Grant x = g; x.parentGrantId().isPresent(); ) {
                            long parent = x.parentGrantId().getAsLong();
                            if (parent == root) {
                                revoked.add(g.id());
                                break;
                            }
                            x = byId.get(parent);
                            if (x == null) {
                                break;
                            }
                        }
                    }
                    ArrayNode a = r.putArray("agents");
                    agents.forEach(a::add);
                    return r;
                }
                case "secret.set": {
                    String name = secretName(p);
                    byte[] value;
                    try {
                        value = Base64.getDecoder().decode(text(p, "value_base64"));
                    } catch (IllegalArgumentException e) {
                        throw new AgentdException(AgentdException.INVALID_PARAMS, "value_base64: expected base64, " + e.getMessage());
                    }
                    caps.vault().set(name, value);
                    return JSON.createObjectNode().put("name", name);
                }
                case "secret.list": {
                    ObjectNode r = JSON.createObjectNode();
                    ArrayNode a = r.putArray("names");
                    caps.vault().names().forEach(a::add);
                    return r;
                }
                case "secret.delete": {
                    String name = secretName(p);
                    if (!caps.vault().delete(name)) {
                        throw new AgentdException(AgentdException.INVALID_PARAMS, "no secret named \"" + name + "\"");
                    }
                    return JSON.createObjectNode().put("name", name);
                }
                case "approval.list": {
                    ObjectNode r = JSON.createObjectNode();
                    ArrayNode a = r.putArray("approvals");
                    caps.broker().pendingApprovals().forEach(x -> a.add(approval(x)));
                    return r;
                }
                case "approval.approve":
                    return approval(caps.broker().approve(text(p, "id"), Principal.admin(actor)));
                case "approval.deny":
                    return approval(caps.broker().deny(text(p, "id"), Principal.admin(actor)));
                case "mcp.list": {
                    ObjectNode r = JSON.createObjectNode();
                    ArrayNode a = r.putArray("servers");
                    mcp.list().forEach(a::add);
                    return r;
                }
                case "mcp.approve":
                    try {
                        return mcp.approve(text(p, "name"), actor);
                    } catch (java.io.IOException e) {
                        throw new AgentdException(AgentdException.INTERNAL, e.getMessage());
                    }
                default:
                    return null;
            }
        } catch (IllegalArgumentException | IllegalStateException | BrokerException e) {
            throw new AgentdException(AgentdException.INVALID_PARAMS, e.getMessage());
        }
    }

    private String agent(JsonNode p) throws AgentdException {
        return supervisor.status(text(p, "id")).id();
    }

    /**
     * The {@code name} parameter of secret.set and secret.delete, which must
     * be a NAME of {@code ${secret:NAME}}: a secret called {@code ../../x}
     * could be stored but never used, and looks like a path it is not.
     */
    private static String secretName(JsonNode p) throws AgentdException {
        String name = text(p, "name");
        if (!HttpFetchTool.SECRET_NAME.matcher(name).matches()) {
            ObjectNode data = JSON.createObjectNode().put("name", name).put("expected", HttpFetchTool.SECRET_NAME.pattern());
            throw new AgentdException(AgentdException.INVALID_PARAMS, "invalid secret name \"" + printable(name)
                    + "\": expected 1 to 256 of A-Z a-z 0-9 _ . - (the NAME in ${secret:NAME})", data);
        }
        return name;
    }

    /** {@code s} with control characters escaped and cut at 64 characters, for a message. */
    private static String printable(String s) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < s.length() && i < 64; i++) {
            char c = s.charAt(i);
            b.append(Character.isISOControl(c) ? String.format("\\u%04x", (int) c) : String.valueOf(c));
        }
        return s.length() > 64 ? b + "..." : b.toString();
    }

    private static String text(JsonNode p, String key) throws AgentdException {
        if (!p.path(key).isTextual() || p.get(key).asText().isEmpty()) {
            throw new AgentdException(AgentdException.INVALID_PARAMS, "missing parameter \"" + key + "\"");
        }
        return p.get(key).asText();
    }

    private JsonNode list(String agentId) {
        ObjectNode r = JSON.createObjectNode();
        ArrayNode a = r.putArray("grants");
        for (GrantStatus s : caps.broker().grants(agentId)) {
            a.add(grantJson(s));
        }
        ArrayNode chain = r.putArray("on_behalf_of");
        caps.broker().chain(agentId).forEach(pr -> chain.add(pr.toString()));
        return r;
    }

    private JsonNode grant(String agentId, JsonNode p, int actor) throws AgentdException {
        GrantKind kind = GrantKind.fromKey(text(p, "kind")).orElseThrow(() -> new AgentdException(
                AgentdException.INVALID_PARAMS, "kind: expected one of tool, file_read, file_write, net, spawn, secret, llm"));
        GrantRequest req = GrantRequest.of(kind, text(p, "value"));
        if (p.has("max_invocations")) {
            req = req.withMaxInvocations(p.get("max_invocations").asLong());
        }
        if (p.path("rate").isTextual()) {
            req = req.withRate(Rate.parse(p.get("rate").asText()));
        }
        if (p.path("expires").isTextual()) {
            String e = p.get("expires").asText();
            Instant at;
            try {
                at = Instant.parse(e);
            } catch (DateTimeParseException x) {
                try {
                    at = Instant.now().plus(Duration.parse("PT" + e.toUpperCase(java.util.Locale.ROOT)));
                } catch (DateTimeParseException y) {
                    throw new AgentdException(AgentdException.INVALID_PARAMS,
                            "expires: expected an ISO-8601 instant or a duration like 24h, got \"" + e + "\"");
                }
            }
            req = req.withExpiresAt(at);
        }
        Grant g = caps.broker().grant(agentId, req, Principal.admin(actor));
        grantsChanged.run();
        for (GrantStatus s : caps.broker().grants(agentId)) {
            if (s.grant().id() == g.id()) {
                return grantJson(s);
            }
        }
        return JSON.valueToTree(g);
    }

    static ObjectNode grantJson(GrantStatus s) {
        Grant g = s.grant();
        ObjectNode o = JSON.createObjectNode();
        o.put("id", g.id());
        o.put("kind", g.kind().key());
        o.put("value", g.value());
        if (g.maxInvocations().isPresent()) {
            o.put("max_invocations", g.maxInvocations().getAsLong());
        } else {
            o.putNull("max_invocations");
        }
        o.put("used", s.usedInvocations());
        o.put("rate", g.rate().map(Rate::toString).orElse(null));
        o.put("expires_at", g.expiresAt().map(Instant::toString).orElse(null));
        if (g.parentGrantId().isPresent()) {
            o.put("parent_grant_id", g.parentGrantId().getAsLong());
        } else {
            o.putNull("parent_grant_id");
        }
        o.put("revoked", s.state() == GrantStatus.State.REVOKED);
        o.put("state", s.state().name().toLowerCase(java.util.Locale.ROOT));
        o.put("reason", s.reason().orElse(null));
        return o;
    }

    static ObjectNode approval(ApprovalRequest a) {
        ObjectNode o = JSON.createObjectNode();
        o.put("id", a.id());
        o.put("agent", a.agentId());
        o.put("tool", a.tool());
        o.put("preview", a.preview());
        o.put("args_sha256", a.argsSha256());
        o.put("created_at", a.createdAt().toString());
        o.put("expires_at", a.expiresAt().toString());
        o.put("state", a.state().name().toLowerCase(java.util.Locale.ROOT));
        return o;
    }
}
