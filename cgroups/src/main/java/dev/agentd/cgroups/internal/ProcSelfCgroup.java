package dev.agentd.cgroups.internal;

import java.util.ArrayList;
import java.util.List;

/**
 * Parses {@code /proc/self/cgroup} (cgroups(7)): one line per hierarchy,
 * {@code hierarchy-ID:controller-list:cgroup-path}, e.g. {@code 4:memory:/a/b}
 * for v1 and {@code 0::/a/b} for v2.
 */
public final class ProcSelfCgroup {
    private ProcSelfCgroup() {}

    /**
     * One membership line.
     *
     * @param id the hierarchy id; 0 for v2
     * @param controllers v1 controllers of the hierarchy ({@code name=systemd} included as is); empty for v2
     * @param path the cgroup path inside that hierarchy, starting with {@code /}
     */
    public record Entry(int id, List<String> controllers, String path) {
        /** True for the cgroup v2 line. */
        public boolean isUnified() {
            return id == 0 && controllers.isEmpty();
        }
    }

    /** @throws IllegalArgumentException for a malformed line */
    public static List<Entry> parse(String text) {
        List<Entry> entries = new ArrayList<>();
        for (String line : text.split("\n")) {
            if (line.isBlank()) {
                continue;
            }
            // The path may itself contain ':', so split at the first two only.
            String[] f = line.split(":", 3);
            if (f.length != 3 || !f[2].startsWith("/")) {
                throw new IllegalArgumentException("malformed /proc/self/cgroup line: " + line);
            }
            int id;
            try {
                id = Integer.parseInt(f[0]);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("malformed /proc/self/cgroup line: " + line, e);
            }
            List<String> controllers = f[1].isEmpty() ? List.of() : List.of(f[1].split(","));
            entries.add(new Entry(id, controllers, f[2]));
        }
        return entries;
    }
}
