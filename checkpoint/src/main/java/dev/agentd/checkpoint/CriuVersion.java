package dev.agentd.checkpoint;

import java.util.Comparator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A CRIU release number, as printed by {@code criu --version}.
 *
 * <p>{@link #toString()} prints it the way CRIU does: {@code 4.0} when the
 * sublevel is 0, {@code 4.1.1} otherwise.
 */
public record CriuVersion(int major, int minor, int sublevel) implements Comparable<CriuVersion> {

    /** {@code Version: 4.1.1}, {@code Version: 4.0}; a suffix such as {@code -rc1} is ignored. */
    private static final Pattern VERSION_LINE =
            Pattern.compile("^Version:\\s*(\\d{1,6})\\.(\\d{1,6})(?:\\.(\\d{1,6}))?(?![.\\d]).*$");

    private static final Comparator<CriuVersion> ORDER = Comparator
            .comparingInt(CriuVersion::major)
            .thenComparingInt(CriuVersion::minor)
            .thenComparingInt(CriuVersion::sublevel);

    public CriuVersion {
        if (major < 0 || minor < 0 || sublevel < 0) {
            throw new IllegalArgumentException(
                    "CRIU version parts must not be negative: " + major + "." + minor + "." + sublevel);
        }
    }

    /**
     * Reads the output of {@code criu --version}, e.g. {@code "Version: 4.1.1\n"}
     * or {@code "Version: 4.0\nGitID: v4.0-12-gabc\n"}. Other lines are ignored.
     *
     * @throws IllegalArgumentException when no {@code Version: X.Y[.Z]} line is found;
     *         the message quotes what was read
     */
    public static CriuVersion parse(String criuVersionOutput) {
        if (criuVersionOutput == null) {
            throw new IllegalArgumentException("no criu --version output: expected a line like 'Version: 4.1.1'");
        }
        for (String line : criuVersionOutput.split("\\R")) {
            Matcher m = VERSION_LINE.matcher(line.strip());
            if (m.matches()) {
                return new CriuVersion(
                        Integer.parseInt(m.group(1)),
                        Integer.parseInt(m.group(2)),
                        m.group(3) == null ? 0 : Integer.parseInt(m.group(3)));
            }
        }
        throw new IllegalArgumentException("unexpected criu --version output \"" + abbreviate(criuVersionOutput)
                + "\": expected a line like 'Version: 4.1.1'");
    }

    /** Whether this version is {@code major.minor} or newer (any sublevel). */
    public boolean atLeast(int major, int minor) {
        return compareTo(new CriuVersion(major, minor, 0)) >= 0;
    }

    @Override
    public int compareTo(CriuVersion other) {
        return ORDER.compare(this, other);
    }

    @Override
    public String toString() {
        return sublevel == 0 ? major + "." + minor : major + "." + minor + "." + sublevel;
    }

    /** Keeps messages one short line even when criu printed something long. */
    private static String abbreviate(String s) {
        String oneLine = s.strip().replaceAll("\\s+", " ");
        return oneLine.length() <= 80 ? oneLine : oneLine.substring(0, 77) + "...";
    }
}
