package dev.agentd.checkpoint;

/**
 * The layout of a checkpoint archive and the rules for member paths. Shared by
 * export (so it never writes an archive import would refuse) and import (so a
 * hostile archive cannot write outside the destination).
 */
final class MemberPath {

    static final String CATALOG = "catalog.json";
    static final String IMAGES = "images";
    static final String MANIFEST = "MANIFEST.json";

    private MemberPath() {
    }

    /**
     * What is wrong with a member path, or {@code null} when it is acceptable.
     *
     * @param path '/'-separated, without a trailing '/'
     * @param directory whether the member is a directory
     */
    static String problem(String path, boolean directory) {
        if (path.isEmpty()) {
            return "empty name";
        }
        if (path.startsWith("/")) {
            return "absolute path (archive members must be relative)";
        }
        for (int i = 0; i < path.length(); i++) {
            char c = path.charAt(i);
            if (c < 0x20 || c == 0x7f) {
                return "control character in the name";
            }
        }
        for (String component : path.split("/", -1)) {
            if (component.isEmpty()) {
                return "empty path component";
            }
            if (component.equals(".")) {
                return "'.' path component";
            }
            if (component.equals("..")) {
                return "'..' path component (path traversal)";
            }
        }
        if (path.equals(CATALOG) || path.equals(MANIFEST)) {
            return directory ? "must be a regular file, not a directory" : null;
        }
        if (path.equals(IMAGES)) {
            return directory ? null : "must be a directory, not a file";
        }
        if (path.startsWith(IMAGES + "/")) {
            return null;
        }
        return "unexpected member: checkpoint archives hold only " + CATALOG + ", " + IMAGES + "/ and " + MANIFEST;
    }

    /** A name for messages: single-quoted, control characters escaped (names may come from a hostile archive). */
    static String quote(String name) {
        if (name == null) {
            return "(unknown)";
        }
        StringBuilder out = new StringBuilder("'");
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c < 0x20 || c == 0x7f) {
                out.append(String.format("\\x%02x", (int) c));
            } else {
                out.append(c);
            }
        }
        return out.append('\'').toString();
    }
}
