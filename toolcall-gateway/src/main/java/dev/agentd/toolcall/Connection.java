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
 * client that does not read from blocking anything but its own writer: producers
 * (the reader, call threads, list_changed broadcasts) only ever enqueue, and the
 * queue is bounded in bytes ({@link GatewayLimits#maxOutboundBytes()}).
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
    private final AtomicLong queuedBytes = new AtomicLong();
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
        long q = queuedBytes.addAndGet(line.length);
        if (q > maxOutbound) {
            queuedBytes.addAndGet(-line.length);
            abort("client is not reading: " + q + " bytes would be queued, more than " + maxOutbound);
            return false;
        }
        outbound.add(line);
        return true;
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
                // or a partial one: not quiet. What is left unseen is the moment
                // between the kernel's copy and this store.
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
                if (m == CLOSE) {
                    break;
                }
                ByteBuffer b = ByteBuffer.wrap(m);
                while (b.hasRemaining()) {
                    channel.write(b);
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
