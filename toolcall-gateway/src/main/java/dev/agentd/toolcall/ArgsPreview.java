package dev.agentd.toolcall;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Iterator;
import java.util.Map;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * The short, redacted form of a call's arguments that goes into audit records and
 * approval prompts. Two layers, because each misses what the other catches: keys that
 * look secret have their values masked whatever they hold (a token the vault never
 * saw), and agentd's redactor replaces known secret values wherever they appear.
 */
final class ArgsPreview {
    private ArgsPreview() {}

    static final int MAX_CHARS = 200;
    static final String MASK = "***";

    /** Substrings of key names whose values are masked, case-insensitively. Over-masking is harmless here. */
    private static final Pattern SECRET_KEY = Pattern.compile(
            "(?i).*(password|passwd|passphrase|token|secret|key|authorization|credential|cookie|session).*");

    static String of(JsonNode arguments, Function<String, String> redactor) {
        String text = CanonicalJson.toCanonicalString(mask(arguments));
        return truncate(redactor.apply(text), MAX_CHARS);
    }

    static JsonNode mask(JsonNode n) {
        if (n.isObject()) {
            ObjectNode out = JsonNodeFactory.instance.objectNode();
            for (Iterator<Map.Entry<String, JsonNode>> it = n.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                out.set(e.getKey(), SECRET_KEY.matcher(e.getKey()).matches()
                        ? JsonNodeFactory.instance.textNode(MASK) : mask(e.getValue()));
            }
            return out;
        }
        if (n.isArray()) {
            ArrayNode out = JsonNodeFactory.instance.arrayNode();
            n.forEach(x -> out.add(mask(x)));
            return out;
        }
        return n;
    }

    /** At most {@code max} chars, ending in "…" when cut; never splits a surrogate pair. */
    static String truncate(String s, int max) {
        if (s.length() <= max) {
            return s;
        }
        int end = max - 1;
        if (Character.isHighSurrogate(s.charAt(end - 1))) {
            end--;
        }
        return s.substring(0, end) + "…";
    }
}
