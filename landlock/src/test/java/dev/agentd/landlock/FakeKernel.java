package dev.agentd.landlock;

import dev.agentd.linux.Errno;
import dev.agentd.linux.SyscallException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A recording stand-in for the kernel (youki's TestHelperSyscall): pretends a
 * given ABI, records every call in order, and fails a call on request.
 */
final class FakeKernel implements Kernel {
    static final String UNAVAILABLE = "landlock_create_ruleset failed: ENOSYS; hint: the kernel is older than 5.13"
            + " or built without CONFIG_SECURITY_LANDLOCK";

    final List<String> calls = new ArrayList<>();
    private final Probe probe;
    private final Map<String, Errno> failures = new HashMap<>();

    FakeKernel(int abi) {
        this.probe = abi > 0 ? Probe.available(abi) : new Probe(0, UNAVAILABLE, null);
    }

    /** Makes the next and every later call of {@code syscall} fail with {@code errno}. */
    FakeKernel failing(String syscall, Errno errno) {
        failures.put(syscall, errno);
        return this;
    }

    Ruleset ruleset() {
        return new Ruleset(this);
    }

    private void call(String syscall, String context) throws SyscallException {
        calls.add(syscall + "(" + context + ")");
        Errno e = failures.get(syscall);
        if (e != null) {
            throw new SyscallException(syscall, e.number(), context);
        }
    }

    @Override
    public Probe probe() {
        return probe;
    }

    @Override
    public Handle createRuleset(long fs, long net, long scoped) throws SyscallException {
        call("landlock_create_ruleset", String.format("fs=0x%x, net=0x%x, scoped=0x%x", fs, net, scoped));
        return () -> calls.add("close(ruleset)");
    }

    @Override
    public void addPathBeneath(Handle ruleset, Path path, long access) throws SyscallException {
        call("landlock_add_rule", String.format("path=%s, access=0x%x", path, access));
    }

    @Override
    public void addNetPort(Handle ruleset, int port, long access) throws SyscallException {
        call("landlock_add_rule", String.format("port=%d, access=0x%x", port, access));
    }

    @Override
    public void setNoNewPrivs() throws SyscallException {
        call("prctl", "PR_SET_NO_NEW_PRIVS");
    }

    @Override
    public void restrictSelf(Handle ruleset, int flags) throws SyscallException {
        call("landlock_restrict_self", String.format("flags=0x%x", flags));
    }
}
