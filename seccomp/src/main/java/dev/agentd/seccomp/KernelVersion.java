package dev.agentd.seccomp;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A Linux kernel version, {@code major.minor}: what Docker's
 * {@code minKernel} conditions compare against (patch levels play no part
 * there).
 *
 * @param major e.g. 6
 * @param minor e.g. 18
 */
public record KernelVersion(int major, int minor) implements Comparable<KernelVersion> {
    private static final Pattern STRICT = Pattern.compile("(\\d{1,4})\\.(\\d{1,4})");
    private static final Pattern RELEASE = Pattern.compile("^(\\d{1,4})\\.(\\d{1,4})");

    public KernelVersion {
        if (major < 0 || minor < 0) {
            throw new IllegalArgumentException("kernel version parts are not negative: " + major + "." + minor);
        }
    }

    /**
     * Parses Docker's {@code minKernel} spelling, exactly {@code "4.8"}.
     *
     * @throws IllegalArgumentException for anything else
     */
    public static KernelVersion parse(String text) {
        Matcher m = STRICT.matcher(text);
        if (!m.matches()) {
            throw new IllegalArgumentException("not a kernel version of the form MAJOR.MINOR: \"" + text + "\"");
        }
        return new KernelVersion(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)));
    }

    /** Reads the leading {@code major.minor} of a release string such as {@code 6.18.44-fc-v769}. */
    public static KernelVersion ofRelease(String release) {
        Matcher m = RELEASE.matcher(release);
        if (!m.find()) {
            throw new IllegalArgumentException("not a kernel release: \"" + release + "\"");
        }
        return new KernelVersion(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)));
    }

    /** The kernel this JVM runs on (from {@code os.version}, which the JDK reads from uname). */
    public static KernelVersion running() {
        return ofRelease(System.getProperty("os.version"));
    }

    /** Whether this version is {@code other} or newer. */
    public boolean atLeast(KernelVersion other) {
        return compareTo(other) >= 0;
    }

    @Override
    public int compareTo(KernelVersion o) {
        return major != o.major ? Integer.compare(major, o.major) : Integer.compare(minor, o.minor);
    }

    @Override
    public String toString() {
        return major + "." + minor;
    }
}
