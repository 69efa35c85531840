package dev.agentd.daemon;

import com.fasterxml.jackson.databind.JsonNode;
import dev.agentd.manifest.Grant;
import java.net.URI;
import java.nio.file.Path;

/**
 * Whether a tool call falls under one {@code approval_required} entry: a tool
 * name (a {@code tool:} grant), or a grant naming what the call touches — a
 * path for the file tools, a host for {@code http_fetch}, an agent name for
 * {@code spawn_agent}, a provider for {@code llm_complete}.
 */
final class ApprovalRules {
    private ApprovalRules() {}

    static boolean matches(Grant rule, String tool, JsonNode args) {
        String v = rule.value();
        switch (rule.kind()) {
            case TOOL:
                return v.equals(tool);
            case FILE_READ:
                return (tool.equals("file_read") || tool.equals("file_list") || tool.equals("file_stat"))
                        && pathUnder(args.path("path").asText(""), v);
            case FILE_WRITE:
                return tool.equals("file_write") && pathUnder(args.path("path").asText(""), v);
            case NET:
                return tool.equals("http_fetch") && hostMatches(args.path("url").asText(""), v);
            case SPAWN:
                return tool.equals("spawn_agent");
            case LLM:
                return tool.equals("llm_complete") && v.equals(args.path("provider").asText(""));
            case SECRET:
                // A call that may use a secret: the HTTP tool's headers name it.
                return tool.equals("http_fetch") && args.path("headers").toString().contains("${secret:" + v + "}");
            default:
                return false;
        }
    }

    static boolean pathUnder(String path, String grant) {
        if (path.isEmpty() || !path.startsWith("/")) {
            return true; // malformed: the tool refuses it, but ask rather than guess
        }
        Path p = Path.of(path).normalize();
        if (grant.endsWith("/**")) {
            String root = grant.length() == 3 ? "/" : grant.substring(0, grant.length() - 3);
            return p.startsWith(Path.of(root));
        }
        return p.equals(Path.of(grant));
    }

    static boolean hostMatches(String url, String grant) {
        try {
            URI u = URI.create(url);
            String host = u.getHost();
            if (host == null) {
                return true;
            }
            int port = u.getPort() != -1 ? u.getPort() : "https".equalsIgnoreCase(u.getScheme()) ? 443 : 80;
            int colon = grant.lastIndexOf(':');
            boolean hasPort = colon > 0 && grant.indexOf(']') < colon;
            String gHost = hasPort ? grant.substring(0, colon) : grant;
            return gHost.equalsIgnoreCase(host) && (!hasPort || Integer.parseInt(grant.substring(colon + 1)) == port);
        } catch (IllegalArgumentException e) {
            return true;
        }
    }
}
