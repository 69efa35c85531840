package dev.agentd.cgroups.v1;

import dev.agentd.cgroups.CgroupException;
import dev.agentd.cgroups.internal.CgroupFs;
import dev.agentd.cgroups.internal.Poll;
import java.nio.file.Path;
import java.time.Duration;

/** v1 {@code freezer}: Documentation/admin-guide/cgroup-v1/freezer-subsystem.rst. */
final class Freezer implements V1Controller {
    static final String STATE = "freezer.state";

    @Override
    public String name() {
        return "freezer";
    }

    /**
     * Writing FROZEN returns at once with the state FREEZING until every task
     * stopped. Writing FROZEN again retries the tasks not yet frozen, so it is
     * rewritten on every check, as runc's v1 freezer does.
     */
    static void freeze(Path dir, CgroupFs fs, Duration timeout) throws CgroupException {
        Path state = dir.resolve(STATE);
        boolean frozen;
        try {
            frozen = Poll.until(timeout, () -> {
                fs.write(state, "FROZEN");
                return fs.read(state).trim().equals("FROZEN");
            });
        } catch (CgroupException | RuntimeException e) {
            // Interrupted or failed half-way: never leave the group frozen.
            fs.write(state, "THAWED");
            throw e;
        }
        if (!frozen) {
            String last = fs.read(state).trim();
            // Never leave a group half-frozen behind a failed call.
            fs.write(state, "THAWED");
            throw new CgroupException("freeze " + state + ": still " + last + " after " + timeout + " (thawed again)",
                    state, "FROZEN", null);
        }
    }

    static void thaw(Path dir, CgroupFs fs) throws CgroupException {
        fs.write(dir.resolve(STATE), "THAWED");
    }
}
