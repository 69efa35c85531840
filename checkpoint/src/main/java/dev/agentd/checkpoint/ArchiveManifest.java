package dev.agentd.checkpoint;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * {@code MANIFEST.json}, the last member of a checkpoint archive: every other
 * member's path, type, size and sha256. Import accepts an archive only if its
 * members and the manifest agree exactly, so the manifest's own sha256 stands for
 * the whole archive.
 *
 * <pre>{@code
 * {"format": "agentd-checkpoint-archive", "version": 1, "members": [
 *   {"path": "catalog.json", "type": "file", "size": 312, "sha256": "..."},
 *   {"path": "images", "type": "dir"}, ...]}
 * }</pre>
 */
final class ArchiveManifest {

    static final String FORMAT = "agentd-checkpoint-archive";
    static final int VERSION = 1;

    /** JSON as written into archives: sorted map keys and indentation, so exports are reproducible and readable. */
    static final ObjectMapper JSON = new ObjectMapper()
            .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
            .enable(SerializationFeature.INDENT_OUTPUT)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    private static final Pattern SHA256_HEX = Pattern.compile("[0-9a-f]{64}");

    /** One listed member; {@code size} and {@code sha256} are 0 and null for directories. */
    record Member(String path, boolean directory, long size, String sha256) {
        static Member file(String path, long size, String sha256) {
            return new Member(path, false, size, sha256);
        }

        static Member directory(String path) {
            return new Member(path, true, 0, null);
        }
    }

    private final Map<String, Member> members;

    /** @param members in archive order, paths unique */
    ArchiveManifest(List<Member> members) {
        Map<String, Member> byPath = new LinkedHashMap<>();
        for (Member m : members) {
            if (byPath.put(m.path(), m) != null) {
                throw new IllegalArgumentException("duplicate manifest member " + m.path());
            }
        }
        this.members = Collections.unmodifiableMap(byPath);
    }

    /** Members by path, in archive order. */
    Map<String, Member> members() {
        return members;
    }

    byte[] toJson() {
        ObjectNode root = JSON.createObjectNode();
        root.put("format", FORMAT);
        root.put("version", VERSION);
        ArrayNode list = root.putArray("members");
        for (Member m : members.values()) {
            ObjectNode n = list.addObject();
            n.put("path", m.path());
            n.put("type", m.directory() ? "dir" : "file");
            if (!m.directory()) {
                n.put("size", m.size());
                n.put("sha256", m.sha256());
            }
        }
        try {
            return JSON.writeValueAsBytes(root);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialise a manifest tree", e);
        }
    }

    /**
     * Reads a manifest.
     *
     * @throws CheckpointArchiveException naming {@code MANIFEST.json} and what is wrong with it
     */
    static ArchiveManifest parse(byte[] json) throws CheckpointArchiveException {
        JsonNode root;
        try {
            root = JSON.readTree(json);
        } catch (JsonProcessingException e) {
            throw invalid("it is not valid JSON (" + e.getOriginalMessage() + ")", e);
        } catch (IOException e) {
            throw invalid("it cannot be read (" + e.getMessage() + ")", e);
        }
        if (root == null || !root.isObject() || !FORMAT.equals(root.path("format").asText(null))) {
            throw invalid("\"format\" is not \"" + FORMAT + "\"", null);
        }
        if (!root.path("version").isInt() || root.path("version").intValue() != VERSION) {
            throw invalid("it has version " + root.path("version") + " and this agentd reads version " + VERSION
                    + " (export with the same agentd version, or upgrade this one)", null);
        }
        JsonNode list = root.path("members");
        if (!list.isArray()) {
            throw invalid("\"members\" is not a list", null);
        }
        Map<String, Member> seen = new LinkedHashMap<>();
        for (JsonNode n : list) {
            Member m = member(n);
            if (seen.put(m.path(), m) != null) {
                throw invalid("it lists " + MemberPath.quote(m.path()) + " twice", null);
            }
        }
        return new ArchiveManifest(List.copyOf(seen.values()));
    }

    private static Member member(JsonNode n) throws CheckpointArchiveException {
        String path = n.path("path").asText(null);
        String type = n.path("type").asText("");
        if (!n.path("path").isTextual() || path.isEmpty()) {
            throw invalid("a member has no \"path\"", null);
        }
        if (type.equals("dir")) {
            return Member.directory(path);
        }
        if (!type.equals("file")) {
            throw invalid("member " + MemberPath.quote(path) + " has type \"" + type + "\" (expected file or dir)", null);
        }
        JsonNode size = n.path("size");
        String sha256 = n.path("sha256").asText("");
        if (!size.canConvertToLong() || !size.isIntegralNumber() || size.longValue() < 0) {
            throw invalid("member " + MemberPath.quote(path) + " has no valid \"size\"", null);
        }
        if (!SHA256_HEX.matcher(sha256).matches()) {
            throw invalid("member " + MemberPath.quote(path) + " has no valid \"sha256\" (64 lowercase hex digits)", null);
        }
        return Member.file(path, size.longValue(), sha256);
    }

    private static CheckpointArchiveException invalid(String what, Throwable cause) {
        return new CheckpointArchiveException(MemberPath.MANIFEST + " is invalid: " + what, MemberPath.MANIFEST, cause);
    }
}
