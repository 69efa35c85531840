package dev.agentd.toolcall;

import java.io.IOException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * Accepts connections for many gateways: one thread selects over all their
 * listening sockets, and each accepted connection is admitted (peer checks)
 * on a small bounded pool. A host with thousands of idle agents then has one
 * accepting thread, not one per agent.
 */
public final class Acceptor implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(Acceptor.class.getName());
    /** Admission reads the peer's credentials and cgroup: short, but I/O. */
    static final int ADMIT_THREADS = 2;
    /**
     * Connections of one listener accepted but not yet admitted, at most. Beyond
     * it the listener is not accepted on: further clients wait in its kernel
     * backlog, as with a thread of its own, and one agent's flood of
     * connections cannot queue ahead of every other agent's.
     */
    static final int MAX_QUEUED = 2;

    /** One registered listener: whom it admits to, and how many of its connections wait for that. */
    private static final class Listener {
        final Consumer<SocketChannel> admit;
        /** Being accepted or accepted and waiting for admission. */
        final AtomicInteger queued = new AtomicInteger();

        Listener(Consumer<SocketChannel> admit) {
            this.admit = admit;
        }
    }

    private final Selector selector;
    private final Queue<Runnable> pending = new ConcurrentLinkedQueue<>();
    private final ThreadPoolExecutor admitPool;
    private final Thread thread;
    private volatile boolean closed;
    /** Listeners whose accept failed (EMFILE and friends), and when to try them again. */
    private final java.util.Map<SelectionKey, Long> resting = new java.util.HashMap<>();
    private static final long REST_NANOS = TimeUnit.MILLISECONDS.toNanos(50);

    private Acceptor(Selector selector) {
        this.selector = selector;
        AtomicInteger n = new AtomicInteger();
        this.admitPool = new ThreadPoolExecutor(ADMIT_THREADS, ADMIT_THREADS, 30, TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(), r -> daemon(r, "toolcall-admit-" + n.incrementAndGet()));
        admitPool.allowCoreThreadTimeOut(true);
        this.thread = daemon(this::loop, "toolcall-acceptor");
    }

    /** Starts the accepting thread. */
    public static Acceptor start() throws IOException {
        Acceptor a = new Acceptor(Selector.open());
        a.thread.start();
        return a;
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }

    /**
     * Accepts on {@code server} from now on (it is made non-blocking); each
     * connection goes to {@code admit} on the admission pool, in blocking mode.
     */
    void register(ServerSocketChannel server, Consumer<SocketChannel> admit) throws IOException {
        server.configureBlocking(false);
        runOnSelector(() -> {
            try {
                server.register(selector, SelectionKey.OP_ACCEPT, new Listener(admit));
            } catch (ClosedChannelException e) {
                // closed meanwhile: nothing to accept
            }
        });
    }

    /**
     * Stops accepting on {@code server}; returns once the selector has let go
     * of it, so closing it then releases the socket at once.
     */
    void unregister(ServerSocketChannel server) {
        if (closed || Thread.currentThread() == thread) {
            SelectionKey k = server.keyFor(selector);
            if (k != null) {
                k.cancel();
            }
            return;
        }
        CountDownLatch done = new CountDownLatch(1);
        runOnSelector(() -> {
            SelectionKey k = server.keyFor(selector);
            if (k != null) {
                k.cancel();
                try {
                    selector.selectNow(); // flushes the cancelled key
                } catch (IOException ignored) {
                    // the key is dropped on the next select anyway
                }
            }
            done.countDown();
        });
        try {
            done.await(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Connections of {@code server} being accepted or accepted but not yet
     * admitted: they are open, yet no gateway knows them; a checkpoint must wait
     * for them.
     */
    int waiting(ServerSocketChannel server) {
        SelectionKey k = server.keyFor(selector);
        return k == null || !(k.attachment() instanceof Listener l) ? 0 : l.queued.get();
    }

    /**
     * For a checkpoint, while {@code server}'s only clients (one agent's
     * processes) cannot connect, their cgroup frozen: accepts every connection
     * still in the kernel backlog (connected, so the agent holds its end, yet
     * invisible to the gateway) and admits it on this thread, then waits up to
     * {@code wait} for the admissions the pool is doing. Frozen clients make no
     * new connections, so the backlog empties for good.
     *
     * @return connections of {@code server} still not admitted (0: every open
     *         connection is among its gateway's)
     * @throws IOException when accept fails (EMFILE and friends): the backlog may still hold one
     */
    int drain(ServerSocketChannel server, java.time.Duration wait) throws IOException, InterruptedException {
        SelectionKey k = server.keyFor(selector);
        if (k == null || !(k.attachment() instanceof Listener l)) {
            return 0;
        }
        // Counted while accepting, as on the selector thread: never open and uncounted.
        l.queued.incrementAndGet();
        try {
            SocketChannel ch;
            while ((ch = server.accept()) != null) {
                l.admit.accept(ch);
            }
        } catch (ClosedChannelException e) {
            return 0; // the gateway closed meanwhile: its connections are closed too
        } finally {
            l.queued.decrementAndGet();
            runOnSelector(() -> resume(k));
        }
        long deadline = System.nanoTime() + wait.toNanos();
        while (l.queued.get() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        return l.queued.get();
    }

    private void runOnSelector(Runnable r) {
        pending.add(r);
        selector.wakeup();
    }

    private void loop() {
        while (!closed) {
            try {
                if (resting.isEmpty()) {
                    selector.select();
                } else {
                    selector.select(TimeUnit.NANOSECONDS.toMillis(REST_NANOS) + 1);
                    wakeRested();
                }
            } catch (IOException e) {
                LOG.log(System.Logger.Level.ERROR, "toolcall acceptor: select failed: " + e);
                return;
            }
            Runnable r;
            while ((r = pending.poll()) != null) {
                try {
                    r.run();
                } catch (java.nio.channels.CancelledKeyException e) {
                    // its listener was closed meanwhile
                }
            }
            for (SelectionKey k : selector.selectedKeys()) {
                try {
                    if (k.isValid() && k.isAcceptable()) {
                        acceptAll(k);
                    }
                } catch (java.nio.channels.CancelledKeyException e) {
                    // its listener was closed meanwhile
                }
            }
            selector.selectedKeys().clear();
        }
    }

    private void wakeRested() {
        long now = System.nanoTime();
        List<SelectionKey> rested = new java.util.ArrayList<>();
        resting.entrySet().removeIf(e -> {
            if (now - e.getValue() < REST_NANOS) {
                return false;
            }
            rested.add(e.getKey());
            return true;
        });
        for (SelectionKey k : rested) {
            try {
                resume(k);
            } catch (java.nio.channels.CancelledKeyException e) {
                // closed meanwhile
            }
        }
    }

    private void acceptAll(SelectionKey k) {
        ServerSocketChannel server = (ServerSocketChannel) k.channel();
        Listener l = (Listener) k.attachment();
        while (l.queued.get() < MAX_QUEUED) {
            SocketChannel ch;
            // Counted before the accept: a connection taken from the backlog is
            // never, even for an instant, open and invisible to a checkpoint's drain.
            l.queued.incrementAndGet();
            try {
                ch = server.accept();
            } catch (ClosedChannelException e) {
                l.queued.decrementAndGet();
                k.cancel();
                return;
            } catch (IOException e) {
                l.queued.decrementAndGet();
                // EMFILE and friends: this listener rests a moment instead of spinning.
                LOG.log(System.Logger.Level.WARNING, "toolcall acceptor: accept failed: " + e);
                k.interestOps(0);
                resting.put(k, System.nanoTime());
                return;
            }
            if (ch == null) {
                l.queued.decrementAndGet();
                return;
            }
            try {
                admitPool.execute(() -> {
                    try {
                        l.admit.accept(ch);
                    } finally {
                        l.queued.decrementAndGet();
                        runOnSelector(() -> resume(k));
                    }
                });
            } catch (RuntimeException e) {
                l.queued.decrementAndGet();
                try {
                    ch.close();
                } catch (IOException ignored) {
                    // nothing to tell
                }
            }
        }
        k.interestOps(0); // full: the rest wait in the backlog until an admission is done
    }

    /** On the selector thread: accepts on {@code k} again once it has room (and is not resting). */
    private void resume(SelectionKey k) {
        Listener l = (Listener) k.attachment();
        if (k.isValid() && !resting.containsKey(k) && l.queued.get() < MAX_QUEUED) {
            k.interestOps(SelectionKey.OP_ACCEPT);
        }
    }

    /** Stops accepting on every socket (the gateways close their own). */
    @Override
    public void close() {
        closed = true;
        selector.wakeup();
        try {
            thread.join(1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        admitPool.shutdown();
        try {
            selector.close();
        } catch (IOException ignored) {
            // nothing to act on
        }
    }
}
