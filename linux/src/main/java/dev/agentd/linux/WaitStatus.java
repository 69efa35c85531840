package dev.agentd.linux;

/**
 * How a child ended: an exit code, or the signal that killed it.
 *
 * @param pid      the child
 * @param exitCode its exit code, or -1 when killed by a signal
 * @param signal   the killing signal, or 0 when it exited
 */
public record WaitStatus(int pid, int exitCode, int signal) {
    /** Decodes a raw {@code wait(2)} status word ({@code WIFEXITED}, {@code WEXITSTATUS}, {@code WTERMSIG}). */
    static WaitStatus decode(int pid, int status) {
        int sig = status & 0x7f;
        if (sig == 0) {
            return new WaitStatus(pid, (status >> 8) & 0xff, 0);
        }
        return new WaitStatus(pid, -1, sig);
    }

    public boolean exited() {
        return signal == 0;
    }

    public boolean killedBy(int sig) {
        return signal == sig;
    }

    /** The shell's convention: the exit code, or 128 + the signal. */
    public int shellCode() {
        return exited() ? exitCode : 128 + signal;
    }

    @Override
    public String toString() {
        return exited() ? "exited " + exitCode : "killed by signal " + signal;
    }
}
