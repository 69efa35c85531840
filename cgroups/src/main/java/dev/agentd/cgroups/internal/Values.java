package dev.agentd.cgroups.internal;

import dev.agentd.cgroups.CgroupException;
import dev.agentd.cgroups.CgroupLimits;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeSet;

/** Reading and formatting the small text formats of cgroup files. */
public final class Values {
    private Values() {}

    /**
     * A flat-keyed file ({@code cpu.stat}, {@code memory.events}, v1
     * {@code memory.oom_control}): one {@code key value} per line.
     */
    public static Map<String, Long> keyed(String text) {
        Map<String, Long> m = new HashMap<>();
        for (String line : text.split("\n")) {
            String[] kv = line.trim().split("\\s+");
            if (kv.length == 2) {
                try {
                    m.put(kv[0], Long.parseLong(kv[1]));
                } catch (NumberFormatException e) {
                    // Not a number (e.g. io.stat style): not a key we read.
                }
            }
        }
        return m;
    }

    /** Space-separated words, e.g. {@code cgroup.controllers}. */
    public static Set<String> words(String text) {
        Set<String> s = new LinkedHashSet<>();
        for (String w : text.trim().split("\\s+")) {
            if (!w.isEmpty()) {
                s.add(w);
            }
        }
        return s;
    }

    /** The numbers in a {@code cgroup.procs}/{@code tasks} file. */
    public static List<Long> ids(Path file, String text) throws CgroupException {
        List<Long> ids = new ArrayList<>();
        for (String line : text.split("\n")) {
            String t = line.trim();
            if (!t.isEmpty()) {
                try {
                    ids.add(Long.parseLong(t));
                } catch (NumberFormatException e) {
                    throw new CgroupException("read " + file + ": not a process id: \"" + t + "\"", file, null, e);
                }
            }
        }
        return ids;
    }

    /** The union of several pid lists, sorted. */
    public static List<Long> sortedUnion(List<List<Long>> lists) {
        Set<Long> s = new TreeSet<>();
        lists.forEach(s::addAll);
        return new ArrayList<>(s);
    }

    /** A file holding one number, if it exists. */
    public static OptionalLong readLong(CgroupFs fs, Path file) throws CgroupException {
        Optional<String> text = fs.readIfExists(file);
        if (text.isEmpty()) {
            return OptionalLong.empty();
        }
        try {
            return OptionalLong.of(Long.parseLong(text.get().trim()));
        } catch (NumberFormatException e) {
            throw new CgroupException("read " + file + ": not a number: \"" + text.get().trim() + "\"", file, null, e);
        }
    }

    /** One key of a flat-keyed file, if file and key exist. */
    public static OptionalLong readKey(CgroupFs fs, Path file, String key) throws CgroupException {
        Optional<String> text = fs.readIfExists(file);
        if (text.isEmpty()) {
            return OptionalLong.empty();
        }
        Long v = keyed(text.get()).get(key);
        return v == null ? OptionalLong.empty() : OptionalLong.of(v);
    }

    /** A limit in v2 syntax: {@code max} for {@link CgroupLimits#MAX}, else the number. */
    public static String v2(long value) {
        return value == CgroupLimits.MAX ? "max" : Long.toString(value);
    }

    /** A limit in v1 syntax: {@code -1} for {@link CgroupLimits#MAX} (memory, cfs quota), else the number. */
    public static String v1(long value) {
        return value == CgroupLimits.MAX ? "-1" : Long.toString(value);
    }
}
