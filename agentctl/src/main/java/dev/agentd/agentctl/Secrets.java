package dev.agentd.agentctl;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;

/**
 * The result of the {@code secret.*} methods: {@code {"names": [...]}} from
 * {@code secret.list}, {@code {"name": ...}} from {@code secret.set} and
 * {@code secret.delete}. Never a value.
 *
 * @param json the result as agentd sent it
 */
public record Secrets(JsonNode json) implements JsonResult {
    /** The names, for {@code secret.list}. */
    public List<String> names() {
        List<String> out = new ArrayList<>();
        json.path("names").forEach(n -> out.add(n.asText()));
        return out;
    }

    /** The name set or deleted. */
    public String name() {
        return Agent.text(json, "name");
    }
}
