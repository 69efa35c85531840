package dev.agentd.linux;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import jnr.ffi.Pointer;

/**
 * A pipe(2) whose ends a spawned child gets as descriptors (through
 * {@link Spawn#dup2}) while this JVM reads or writes the other end as a
 * stream. The JDK cannot wrap a raw descriptor in a stream, hence read(2) and
 * write(2) here.
 */
public final class Pipe implements AutoCloseable {
    private static final int O_CLOEXEC = 02000000;

    private final Fd readEnd;
    private final Fd writeEnd;

    private Pipe(Fd readEnd, Fd writeEnd) {
        this.readEnd = readEnd;
        this.writeEnd = writeEnd;
    }

    /** A new pipe, both ends close-on-exec (a child gets its end by dup2, which clears the flag). */
    public static Pipe open() throws SyscallException {
        int[] fds = new int[2];
        Native.check(Native.libc().pipe2(fds, O_CLOEXEC), "pipe2", "");
        return new Pipe(new Fd(fds[0], "pipe read end"), new Fd(fds[1], "pipe write end"));
    }

    public Fd readEnd() {
        return readEnd;
    }

    public Fd writeEnd() {
        return writeEnd;
    }

    /** A stream reading {@code fd} until end of file; closing it closes the descriptor. */
    public static InputStream inputStream(Fd fd) {
        return new InputStream() {
            @Override
            public int read() throws IOException {
                byte[] one = new byte[1];
                int n = read(one, 0, 1);
                return n <= 0 ? -1 : one[0] & 0xff;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                if (len == 0) {
                    return 0;
                }
                Pointer buf = Native.allocate(len);
                while (true) {
                    long n = Native.libc().read(fd.number(), buf, len);
                    if (n < 0) {
                        int errno = Native.errno();
                        if (errno == Errno.EINTR.number()) {
                            continue;
                        }
                        throw new SyscallException("read", errno, "fd=" + fd.number());
                    }
                    if (n == 0) {
                        return -1;
                    }
                    buf.get(0, b, off, (int) n);
                    return (int) n;
                }
            }

            @Override
            public void close() {
                fd.close();
            }
        };
    }

    /** A stream writing to {@code fd}; closing it closes the descriptor (the reader then sees end of file). */
    public static OutputStream outputStream(Fd fd) {
        return new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                Pointer buf = Native.allocate(Math.max(len, 1));
                buf.put(0, b, off, len);
                long done = 0;
                while (done < len) {
                    long n = Native.libc().write(fd.number(), buf.slice(done), len - done);
                    if (n < 0) {
                        int errno = Native.errno();
                        if (errno == Errno.EINTR.number()) {
                            continue;
                        }
                        throw new SyscallException("write", errno, "fd=" + fd.number());
                    }
                    done += n;
                }
            }

            @Override
            public void close() {
                fd.close();
            }
        };
    }

    @Override
    public void close() {
        readEnd.close();
        writeEnd.close();
    }
}
