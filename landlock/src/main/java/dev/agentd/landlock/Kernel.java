package dev.agentd.landlock;

import dev.agentd.linux.Fd;
import dev.agentd.linux.LandlockSyscall;
import dev.agentd.linux.Prctl;
import dev.agentd.linux.SyscallException;
import java.io.IOException;
import java.nio.file.Path;

/**
 * The system calls a ruleset needs: the seam between the compatibility logic
 * and the kernel. {@link #real()} is the kernel; unit tests use a recording
 * fake (to assert the calls and their order without a kernel) and
 * {@link #capped(Kernel, Abi)} pretends a kernel with an older ABI.
 */
interface Kernel {

    /** An open ruleset. */
    interface Handle extends AutoCloseable {
        @Override
        void close();
    }

    /** The ABI probe: version, or 0 and why. */
    Probe probe();

    Handle createRuleset(long handledFs, long handledNet, long scoped) throws SyscallException;

    /** Opens {@code path} ({@code O_PATH}) and adds it; a missing path is a {@link java.nio.file.NoSuchFileException}. */
    void addPathBeneath(Handle ruleset, Path path, long access) throws IOException;

    void addNetPort(Handle ruleset, int port, long access) throws SyscallException;

    void setNoNewPrivs() throws SyscallException;

    void restrictSelf(Handle ruleset, int flags) throws SyscallException;

    /** The running kernel, through the {@code linux} module. */
    static Kernel real() {
        return Real.INSTANCE;
    }

    /** {@code kernel}, but reporting at most {@code max} as its ABI. */
    static Kernel capped(Kernel kernel, Abi max) {
        return new Kernel() {
            @Override
            public Probe probe() {
                return kernel.probe().cappedAt(max);
            }

            @Override
            public Handle createRuleset(long fs, long net, long scoped) throws SyscallException {
                return kernel.createRuleset(fs, net, scoped);
            }

            @Override
            public void addPathBeneath(Handle ruleset, Path path, long access) throws IOException {
                kernel.addPathBeneath(ruleset, path, access);
            }

            @Override
            public void addNetPort(Handle ruleset, int port, long access) throws SyscallException {
                kernel.addNetPort(ruleset, port, access);
            }

            @Override
            public void setNoNewPrivs() throws SyscallException {
                kernel.setNoNewPrivs();
            }

            @Override
            public void restrictSelf(Handle ruleset, int flags) throws SyscallException {
                kernel.restrictSelf(ruleset, flags);
            }
        };
    }

    /** The running kernel. */
    final class Real implements Kernel {
        static final Real INSTANCE = new Real();

        private record FdHandle(Fd fd) implements Handle {
            @Override
            public void close() {
                fd.close();
            }
        }

        @Override
        public Probe probe() {
            return Landlock.probe();
        }

        @Override
        public Handle createRuleset(long handledFs, long handledNet, long scoped) throws SyscallException {
            return new FdHandle(LandlockSyscall.createRuleset(handledFs, handledNet, scoped));
        }

        @Override
        public void addPathBeneath(Handle ruleset, Path path, long access) throws IOException {
            LandlockSyscall.addPathBeneath(((FdHandle) ruleset).fd(), path, access);
        }

        @Override
        public void addNetPort(Handle ruleset, int port, long access) throws SyscallException {
            LandlockSyscall.addNetPort(((FdHandle) ruleset).fd(), port, access);
        }

        @Override
        public void setNoNewPrivs() throws SyscallException {
            Prctl.setNoNewPrivs();
        }

        @Override
        public void restrictSelf(Handle ruleset, int flags) throws SyscallException {
            LandlockSyscall.restrictSelf(((FdHandle) ruleset).fd(), flags);
        }
    }
}
