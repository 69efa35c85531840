package dev.agentd.cgroups.v2;

import dev.agentd.cgroups.CgroupException;
import dev.agentd.cgroups.internal.CgroupFs;
import dev.agentd.cgroups.internal.Poll;
import dev.agentd.cgroups.internal.Values;
import java.nio.file.Path;
import java.time.Duration;
import java.util.OptionalLong;

/**
 * The v2 freezer, part of the core (Linux ≥ 5.2): {@code cgroup.freeze} asks,
 * {@code cgroup.events} says {@code frozen 1} once every task stopped.
 */
final class Freezer {
    private Freezer() {}

    static void freeze(Path dir, CgroupFs fs, Duration timeout) throws CgroupException {
        Path freeze = file(dir, fs);
        Path events = dir.resolve("cgroup.events");
        fs.write(freeze, "1");
        boolean frozen;
        try {
            frozen = Poll.until(timeout, () -> {
                OptionalLong f = Values.readKey(fs, events, "frozen");
                return f.isPresent() && f.getAsLong() == 1;
            });
        } catch (CgroupException | RuntimeException e) {
            // Interrupted or failed half-way: never leave the group frozen.
            fs.write(freeze, "0");
            throw e;
        }
        if (!frozen) {
            // Never leave a group half-frozen behind a failed call.
            fs.write(freeze, "0");
            throw new CgroupException("freeze " + freeze + ": " + events + " does not say frozen 1 after " + timeout
                    + " (thawed again)", freeze, "1", null);
        }
    }

    static void thaw(Path dir, CgroupFs fs) throws CgroupException {
        fs.write(file(dir, fs), "0");
    }

    static boolean available(Path dir, CgroupFs fs) {
        return fs.exists(dir.resolve("cgroup.freeze"));
    }

    private static Path file(Path dir, CgroupFs fs) throws CgroupException {
        Path f = dir.resolve("cgroup.freeze");
        if (!fs.exists(f)) {
            throw new CgroupException(f + " is missing: the cgroup v2 freezer needs Linux 5.2 or later", f, null, null);
        }
        return f;
    }
}
