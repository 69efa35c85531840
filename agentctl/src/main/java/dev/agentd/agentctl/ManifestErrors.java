package dev.agentd.agentctl;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Formats agentd's "manifest invalid" error (code -32000) the way compilers
 * report errors, one per line, so editors and {@code grep} can jump to them:
 * {@code file:line:column: key: message}.
 *
 * <p>Reads {@code data} as {@code {"errors": [{file, line, column, key,
 * message}, ...]}}. It also accepts a bare array of such objects and a single
 * such object, and the spellings {@code field} for {@code key} and
 * {@code expected} for {@code message} ({@code docs/admin-api.md} shows that
 * older single-error shape), so an agentd that reports one error the old way
 * still gets a located message.
 */
final class ManifestErrors {
    private ManifestErrors() {}

    /**
     * One line per error in {@code data}; empty when {@code data} carries no
     * error objects (the caller then prints agentd's message instead).
     *
     * @param defaultFile the manifest agentctl sent, used where an error names no file; may be null
     */
    static List<String> format(JsonNode data, Path defaultFile) {
        List<JsonNode> errors = new ArrayList<>();
        if (data.isArray()) {
            data.forEach(errors::add);
        } else if (data.path("errors").isArray()) {
            data.path("errors").forEach(errors::add);
        } else if (data.isObject() && (data.has("line") || data.has("key") || data.has("field"))) {
            errors.add(data);
        }
        List<String> out = new ArrayList<>();
        for (JsonNode e : errors) {
            if (e.isObject()) {
                out.add(line(e, defaultFile));
            }
        }
        return out;
    }

    private static String line(JsonNode e, Path defaultFile) {
        StringBuilder sb = new StringBuilder();
        String file = first(e, "file", "path");
        if (file == null && defaultFile != null) {
            file = defaultFile.toString();
        }
        // Each known part of the location, then ": " — file:line:column: when
        // all are known, as compilers print it.
        List<String> where = new ArrayList<>();
        if (file != null) {
            where.add(file);
        }
        JsonNode line = e.get("line");
        if (line != null && line.isNumber()) {
            where.add(Long.toString(line.asLong()));
            JsonNode col = e.get("column");
            if (col != null && col.isNumber()) {
                where.add(Long.toString(col.asLong()));
            }
        }
        if (!where.isEmpty()) {
            sb.append(String.join(":", where)).append(": ");
        }
        String key = first(e, "key", "field");
        if (key != null && !key.isEmpty()) {
            sb.append(key).append(": ");
        }
        String message = first(e, "message", "expected");
        if (message == null) {
            message = "invalid";
        } else if (e.has("expected") && !e.has("message")) {
            message = "expected " + message;
        }
        return sb.append(message).toString();
    }

    private static String first(JsonNode e, String... fields) {
        for (String f : fields) {
            String v = Agent.text(e, f);
            if (v != null) {
                return v;
            }
        }
        return null;
    }
}
