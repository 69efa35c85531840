package dev.agentd.linux;

/**
 * An open file descriptor this code owns. Closing it twice is harmless.
 */
public final class Fd implements AutoCloseable {
    private final int number;
    private final String what;
    private boolean closed;

    Fd(int number, String what) {
        this.number = number;
        this.what = what;
    }

    /** Wraps a descriptor obtained elsewhere (e.g. inherited); the caller hands over ownership. */
    public static Fd adopt(int number, String what) {
        if (number < 0) {
            throw new IllegalArgumentException("not a file descriptor: " + number);
        }
        return new Fd(number, what);
    }

    /** The descriptor number, for passing to another process or a later call. */
    public int number() {
        return number;
    }

    public synchronized boolean isClosed() {
        return closed;
    }

    @Override
    public synchronized void close() {
        if (!closed) {
            closed = true;
            Native.libc().close(number);
        }
    }

    @Override
    public String toString() {
        return "fd " + number + " (" + what + ")";
    }
}
