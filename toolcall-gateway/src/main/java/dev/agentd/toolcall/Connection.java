package dev.agentd.toolcall;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SocketChannel;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One client connection: a reader thread that frames lines and dispatches them, and
 * a writer thread that drains a queue of outgoing lines. The split is what keeps a
 * client that does not read from blocking anything but its own writer: a producer
 * (the reader, a call thread, a list_changed broadcast) never waits for the client.
 * When nothing is queued and the socket's send buffer has room for the line (so a
 * write cannot block), the producer writes it itself, under the connection's write
 * lock (no hand-off to the writer and back); otherwise it enqueues, and the queue is
 * bounded in bytes ({@link GatewayLimits#maxOutboundBytes()}). Lines leave in the
 * order they were sent: a producer writes only while nothing is queued, and the
 * writer writes under the same lock.
 */
final class Connection {
    private static final System.Logger LOG = System.getLogger(Connection.class.getName());
    /** Poison pill: the writer closes the connection after the lines queued before it. */
    private static final byte[] CLOSE = new byte[0];
    private static final int READ_CHUNK = 64 * 1024;

    final int number;
    private final Gateway gateway;
    private final SocketChannel channel;
    private final int maxLine;
    private final long maxOutbound;
    private final LinkedBlockingQueue<byte[]> outbound = new LinkedBlockingQueue<>();
    /** Bytes sent and not yet written to the socket: queued, or being written (by the writer or a producer). */
    private final AtomicLong queuedBytes = new AtomicLong();
    /** Held while writing to the socket, by the writer thread or a producer writing its own line. */
    private final java.util.concurrent.locks.ReentrantLock writeLock = new java.util.concurrent.locks.ReentrantLock();
    /** The socket's send buffer, or 0 when writes always go through the writer (unknown size). */
    private final int sendBuffer;
    private final AtomicBoolean closing = new AtomicBoolean();
    private final AtomicBoolean finished = new AtomicBoolean();
    /** Calls in progress on this connection, by {@link McpMessage#idKey request id}. */
    final Map<String, Calls.InFlight> inFlight = new ConcurrentHashMap<>();
    private boolean inputEnded; // guarded by this
    /** Bytes of a line read but not complete yet (no newline so far). */
    private volatile int partialLine;
    /** Bytes just read and not yet split into lines. */
    private volatile int inHand;
    /** Lines read and being handled (parsed, answered, started, or held while a checkpoint holds calls). */
    private final java.util.concurrent.atomic.AtomicInteger dispatching = new java.util.concurrent.atomic.AtomicInteger();
    volatile String protocolVersion;
    private volatile Thread reader;
    private volatile Thread writer;
    volatile boolean initialized;

    Connection(Gateway gateway, SocketChannel channel, int number) {
        this.gateway = gateway;
        this.channel = channel;
        this.number = number;
        this.maxLine = gateway.limits().maxMessageBytes();
        this.maxOutbound = gateway.limits().maxOutboundBytes();
        int sndbuf;
        try {
            sndbuf = channel.getOption(java.net.StandardSocketOptions.SO_SNDBUF);
        } catch (IOException | RuntimeException e) {
            sndbuf = 0;
        }
        this.sendBuffer = sndbuf;
    }

    /**
     * Nothing is on its way either way: no unread bytes in the socket, none
     * read and not yet looked at, no incomplete line, no line being handled (a request read but not yet held or
     * answered), no answer queued but not written. Only meaningful while the client cannot write
     * (its cgroup frozen); -1 from FIONREAD (cannot tell) counts as not quiet.
     */
    boolean quiet() {
        return inHand == 0 && partialLine == 0 && dispatching.get() == 0 && queuedBytes.get() == 0
                && dev.agentd.linux.SocketPeer.unreadBytes(channel) == 0;
    }

    void start() {
        reader = gateway.newThread(this::readLoop, "conn" + number + "-read");
        writer = gateway.newThread(this::writeLoop, "conn" + number + "-write");
        reader.start();
        writer.start();
    }

    /**
     * Waits, until the deadline at most, for both threads to leave the socket. Closing a
     * channel a thread is blocked in only swaps its descriptor; the socket itself is
     * released, and the client sees end-of-file, when that thread returns. Until then a
     * client's next request would land in a socket about to be dropped (a reset, and a
     * call that "may have run") instead of failing to send and going to the new gateway.
     */
    void awaitEnd(long deadlineNanos) throws InterruptedException {
        for (Thread t : new Thread[] {reader, writer}) {
            long left = deadlineNanos - System.nanoTime();
            if (t != null && left > 0 && t != Thread.currentThread()) {
                t.join(Math.max(1, left / 1_000_000));
            }
        }
    }

    /**
     * Queues one line (which must end in '\n'). Never blocks. Returns false when the
     * connection is closing or the client has left too much unread, in which case the
     * connection is aborted: a client that stops reading loses its connection, not
     * agentd's memory.
     */
    boolean send(byte[] line) {
        if (closing.get()) {
            return false;
        }
        // Not on an interrupted thread: an interrupt during a channel's write closes the channel.
        if (!Thread.currentThread().isInterrupted() && writeLock.tryLock()) {
            try {
                if (queuedBytes.get() == 0 && !closing.get() && roomFor(line.length)) {
                    return writeNow(line);
                }
            } finally {
                writeLock.unlock();
            }
        }
        long q = queuedBytes.addAndGet(line.length);
        if (q > maxOutbound) {
            queuedBytes.addAndGet(-line.length);
            abort("client is not reading: " + q + " bytes would be queued, more than " + maxOutbound);
            return false;
        }
        outbound.add(line);
        return true;
    }

    /**
     * Whether a blocking write of {@code length} bytes finds room in the send
     * buffer at once. A Unix stream socket's writer blocks only when what the
     * peer has not read yet ({@code SIOCOUTQ}, in buffer memory, which counts
     * each message's overhead too) reaches the buffer's size; the margin covers
     * that overhead. Only the holder of the write lock writes, and the peer can
     * only lower the count, so the answer holds until the write. Unknown means no.
     */
    private boolean roomFor(int length) {
        if (sendBuffer <= 0 || length > sendBuffer / 4) {
            return false;
        }
        int unsent = dev.agentd.linux.SocketPeer.unsentBytes(channel);
        return unsent >= 0 && unsent + length + 4096 < sendBuffer / 2;
    }

    /** Under the write lock, nothing queued, room checked: the producer's own write. */
    private boolean writeNow(byte[] line) {
        // Counted while written, like a queued line: quiet() must not call a
        // connection idle while an answer is on its way.
        queuedBytes.addAndGet(line.length);
        try {
            ByteBuffer b = ByteBuffer.wrap(line);
            while (b.hasRemaining()) {
                channel.write(b);
            }
            return true;
        } catch (IOException e) {
            if (!closing.get()) {
                LOG.log(Level.DEBUG, "agent " + gateway.agentId() + " conn" + number + ": write failed: " + e);
            }
            abort("write failed: " + e.getMessage());
            return false;
        } finally {
            queuedBytes.addAndGet(-line.length);
        }
    }

    private void readLoop() {
        ByteBuffer buf = ByteBuffer.allocate(READ_CHUNK);
        byte[] line = new byte[1024];
        int len = 0;
        try {
            while (!closing.get()) {
                buf.clear();
                int n = channel.read(buf);
                if (n < 0) {
                    break;
                }
                // Out of the socket (FIONREAD no longer shows them) but not yet a line
                // or a partial one: not quiet. The moment between the kernel's copy
                // and this store is covered by closeIdleConnections looking twice.
                inHand = n;
                byte[] a = buf.array();
                int start = 0;
                for (int i = 0; i < n; i++) {
                    if (a[i] != '\n') {
                        continue;
                    }
                    int add = i - start;
                    if ((long) len + add > maxLine) {
                        lineTooLong();
                        return;
                    }
                    line = ensure(line, len + add);
                    System.arraycopy(a, start, line, len, add);
                    len += add;
                    dispatching.incrementAndGet();
                    try {
                        handleLine(line, len);
                    } finally {
                        dispatching.decrementAndGet();
                    }
                    len = 0;
                    start = i + 1;
                }
                int rest = n - start;
                // Checked before the newline arrives: a line that is already too long is
                // refused now instead of buffering an unbounded amount first.
                if ((long) len + rest > maxLine) {
                    lineTooLong();
                    return;
                }
                line = ensure(line, len + rest);
                System.arraycopy(a, start, line, len, rest);
                len += rest;
                partialLine = len;
                inHand = 0;
            }
            if (len > 0 && !closing.get()) {
                handleLine(line, len); // a last line without '\n' (printf | socat) still counts
            }
            inputEnded();
        } catch (ClosedChannelException e) {
            finish(); // closed by abort() or the writer: nothing more to say
        } catch (IOException e) {
            abort("read failed: " + e.getMessage());
        }
    }

    private static byte[] ensure(byte[] b, int need) {
        return need <= b.length ? b : Arrays.copyOf(b, Math.max(need, b.length * 2));
    }

    private void handleLine(byte[] line, int len) {
        if (len > 0 && line[len - 1] == '\r') {
            len--; // CRLF from hand-typed or Windows-side clients
        }
        try {
            gateway.dispatch(this, line, len);
        } catch (RuntimeException e) {
            // A bug in dispatch (or a throwing broker) must cost one answer, not the connection.
            LOG.log(Level.WARNING, "agent " + gateway.agentId() + ": dispatch failed", e);
            gateway.sendError(this, com.fasterxml.jackson.databind.node.NullNode.instance, McpMessage.INTERNAL_ERROR,
                    "Internal error", null);
        }
    }

    private void lineTooLong() {
        // The rest of the line is unread and the stream cannot be resynchronized
        // cheaply, so this connection ends after telling the client why.
        gateway.cancelCalls(this, "connection closed: line too long");
        gateway.sendError(this, com.fasterxml.jackson.databind.node.NullNode.instance, McpMessage.INVALID_REQUEST,
                "Invalid Request: message longer than " + maxLine + " bytes; closing the connection", null);
        closeAfterQueued();
    }

    /**
     * The client half-closed (socat, the stdio bridge on stdin EOF): answer the calls
     * still running, then close.
     */
    private void inputEnded() {
        synchronized (this) {
            inputEnded = true;
        }
        callEnded();
    }

    /** Called after a call's answer was queued (or it was cancelled). */
    void callEnded() {
        boolean close;
        synchronized (this) {
            close = inputEnded && inFlight.isEmpty();
        }
        if (close) {
            closeAfterQueued();
        }
    }

    private void closeAfterQueued() {
        if (closing.compareAndSet(false, true)) {
            outbound.add(CLOSE);
        }
    }

    private void writeLoop() {
        try {
            while (true) {
                byte[] m = outbound.take();
                writeLock.lock();
                try {
                    if (m == CLOSE) {
                        break; // after a producer's write still under way: it was sent before the close
                    }
                    ByteBuffer b = ByteBuffer.wrap(m);
                    while (b.hasRemaining()) {
                        channel.write(b);
                    }
                } finally {
                    writeLock.unlock();
                }
                queuedBytes.addAndGet(-m.length);
            }
        } catch (IOException e) {
            if (!closing.get()) {
                LOG.log(Level.DEBUG, "agent " + gateway.agentId() + " conn" + number + ": write failed: " + e);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            finish();
        }
    }

    /** Closes now, dropping queued output. */
    void abort(String why) {
        if (closing.compareAndSet(false, true)) {
            LOG.log(Level.DEBUG, "agent " + gateway.agentId() + " conn" + number + ": closing: " + why);
        }
        closeChannel();
        outbound.clear();
        outbound.add(CLOSE); // wakes the writer if it waits on an empty queue
        finish();
    }

    private void finish() {
        if (!finished.compareAndSet(false, true)) {
            return;
        }
        closing.set(true);
        closeChannel();
        gateway.cancelCalls(this, "connection closed");
        gateway.connectionEnded(this);
    }

    private void closeChannel() {
        try {
            channel.close(); // also wakes a reader blocked in read() and a writer blocked in write()
        } catch (IOException ignored) {
            // Nothing left to do with a socket that fails to close.
        }
    }
}
