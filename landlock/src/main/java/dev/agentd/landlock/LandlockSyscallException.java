package dev.agentd.landlock;

import dev.agentd.linux.SyscallException;
import java.util.Optional;

/**
 * A Landlock (or prctl) system call failed although the request was valid and
 * the ABI supports it. It is the kernel's {@link SyscallException} — same
 * syscall, errno and context, so callers that handle {@code SyscallException}
 * keep working — with what this library was doing and, where the errno has a
 * known cause, a hint. The original is the {@linkplain #getCause() cause}.
 *
 * <p>Message shape: {@code landlock_restrict_self failed: EPERM (Operation not
 * permitted) (flags=0) while restricting the calling thread; hint: ...}.
 */
public final class LandlockSyscallException extends SyscallException {
    private static final long serialVersionUID = 1L;

    private final String step;
    private final String hint;

    LandlockSyscallException(SyscallException cause, String step, String hint) {
        super(cause.syscall(), cause.errnoNumber(), cause.context());
        initCause(cause);
        this.step = step;
        this.hint = hint;
    }

    /** What this library was doing, e.g. {@code adding rule PathBeneath[/data {READ_FILE}]}. */
    public String step() {
        return step;
    }

    /** A likely cause for this errno, if one is known. */
    public Optional<String> hint() {
        return Optional.ofNullable(hint);
    }

    @Override
    public String getMessage() {
        return super.getMessage() + " while " + step + (hint == null ? "" : "; hint: " + hint);
    }
}
