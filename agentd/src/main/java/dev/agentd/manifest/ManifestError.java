package dev.agentd.manifest;

import java.util.Objects;

/**
 * One problem found in a manifest, pinned to the place a person has to edit.
 *
 * <p>The daemon returns these as JSON-RPC error data (see docs/admin-api.md), so every
 * field is plain data; {@link #toString()} is the one-line form printed by the CLI:
 * <pre>researcher.yaml:4:11: resources.memory: invalid memory size "12Q": expected a number with optional K, M, G or T suffix, or "max"</pre>
 *
 * @param file    the manifest's file name as the caller gave it (or {@code <manifest>} for anonymous text)
 * @param line    1-based line of the offending node
 * @param column  1-based column of the offending node (in code points)
 * @param key     dotted path of the offending key, such as {@code resources.memory} or
 *                {@code capabilities[2].rate}; empty for document-level problems (YAML syntax, non-mapping root)
 * @param message what is wrong and what was expected instead
 */
public record ManifestError(String file, int line, int column, String key, String message) {

    public ManifestError {
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(message, "message");
    }

    /** {@code file:line:column: key: message}, or {@code file:line:column: message} without a key. */
    @Override
    public String toString() {
        return file + ":" + line + ":" + column + ": " + (key.isEmpty() ? "" : key + ": ") + message;
    }
}
