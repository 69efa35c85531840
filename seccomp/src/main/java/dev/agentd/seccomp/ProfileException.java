package dev.agentd.seccomp;

/**
 * A seccomp profile is malformed or asks for something that cannot be: the
 * caller's mistake, never the kernel's. The message names where (a path like
 * {@code syscalls[3].names[1]} and, when the profile came as text, line and
 * column) and what was expected:
 *
 * <pre>
 * agent.json: unknown syscall "opne" in syscalls[3].names[1] (line 14, column 9); expected a Linux syscall name — did you mean "open"?
 * </pre>
 */
public final class ProfileException extends Exception {
    private static final long serialVersionUID = 1L;

    private final String source;
    private final String path;
    private final String pointer;
    private final int line;
    private final int column;
    private final String problem;
    private final String expected;

    ProfileException(String source, String path, String pointer, int line, int column, String problem, String expected) {
        super(format(source, path, line, column, problem, expected));
        this.source = source;
        this.path = path;
        this.pointer = pointer;
        this.line = line;
        this.column = column;
        this.problem = problem;
        this.expected = expected;
    }

    private static String format(String source, String path, int line, int column, String problem, String expected) {
        StringBuilder sb = new StringBuilder();
        if (source != null && !source.isEmpty()) {
            sb.append(source).append(": ");
        }
        sb.append(problem);
        if (path != null) {
            sb.append(" in ").append(path);
        }
        if (line > 0) {
            sb.append(path == null ? " at " : " (").append("line ").append(line).append(", column ").append(column)
                    .append(path == null ? "" : ")");
        }
        if (expected != null && !expected.isEmpty()) {
            sb.append("; expected ").append(expected);
        }
        return sb.toString();
    }

    /** Where the profile came from (a file name), or an empty string. */
    public String source() {
        return source == null ? "" : source;
    }

    /** The place in the profile, e.g. {@code syscalls[3].names[1]}; {@code null} for a JSON syntax error. */
    public String path() {
        return path;
    }

    /** The same place as an RFC 6901 JSON pointer, e.g. {@code /syscalls/3/names/1}; {@code null} for a syntax error. */
    public String pointer() {
        return pointer;
    }

    /** 1-based line in the profile text, or -1 when unknown. */
    public int line() {
        return line;
    }

    /** 1-based column in the profile text, or -1 when unknown. */
    public int column() {
        return column;
    }

    /** What is wrong, e.g. {@code unknown syscall "opne"}. */
    public String problem() {
        return problem;
    }

    /** What would have been accepted, or an empty string. */
    public String expected() {
        return expected == null ? "" : expected;
    }
}
