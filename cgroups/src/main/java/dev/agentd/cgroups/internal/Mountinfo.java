package dev.agentd.cgroups.internal;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Parses {@code /proc/<pid>/mountinfo} (format: proc(5)):
 * {@code 36 35 98:0 /root /mnt/point rw,noatime master:1 - ext3 /dev/root rw,errors=continue}.
 */
public final class Mountinfo {
    private Mountinfo() {}

    /**
     * One mount.
     *
     * @param root the path inside the mounted filesystem that is mounted (field 4)
     * @param mountPoint where it is mounted, resolved against the filesystem root given to {@link #parse}
     * @param fsType e.g. {@code cgroup}, {@code cgroup2}
     * @param superOptions per-superblock options; for cgroup v1 they name the controllers
     */
    public record Mount(String root, Path mountPoint, String fsType, Set<String> superOptions) {}

    /**
     * All mounts in {@code text}. Mount points are resolved against
     * {@code fsRoot} ({@code /} on a real system, a temp dir in tests).
     *
     * @throws IllegalArgumentException for a malformed line
     */
    public static List<Mount> parse(String text, Path fsRoot) {
        List<Mount> mounts = new ArrayList<>();
        for (String line : text.split("\n")) {
            if (line.isBlank()) {
                continue;
            }
            String[] f = line.trim().split(" ");
            // Optional fields (shared:N, master:N) end at a lone "-".
            int sep = Arrays.asList(f).indexOf("-");
            if (sep < 6 || sep + 3 >= f.length) {
                throw new IllegalArgumentException("malformed mountinfo line: " + line);
            }
            String mountPoint = unescape(f[4]);
            Set<String> options = new LinkedHashSet<>(Arrays.asList(f[sep + 3].split(",")));
            mounts.add(new Mount(unescape(f[3]), fsRoot.resolve(mountPoint.substring(1)), f[sep + 1], options));
        }
        return mounts;
    }

    /** The kernel escapes space, tab, newline and backslash as octal ({@code \040}). */
    static String unescape(String s) {
        if (s.indexOf('\\') < 0) {
            return s;
        }
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\' && isOctal(s, i + 1)) {
                sb.append((char) Integer.parseInt(s.substring(i + 1, i + 4), 8));
                i += 3;
            } else {
                sb.append(c);
            }
        }
        return sb.toString();
    }

    private static boolean isOctal(String s, int from) {
        if (from + 3 > s.length()) {
            return false;
        }
        for (int i = from; i < from + 3; i++) {
            if (s.charAt(i) < '0' || s.charAt(i) > '7') {
                return false;
            }
        }
        return true;
    }
}
