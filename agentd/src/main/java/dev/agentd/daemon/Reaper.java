package dev.agentd.daemon;

import dev.agentd.linux.Epoll;
import dev.agentd.linux.Fd;
import dev.agentd.linux.SyscallException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Learns of agents' exits: one thread waits in epoll over every agent's pidfd
 * (readable once the process has ended, whether it is agentd's child or a
 * re-adopted one) and hands each exit to a small, bounded pool that does the
 * slow part (reaping, emptying the cgroup, recording, restarting). The number
 * of threads does not grow with the number of agents.
 */
final class Reaper implements AutoCloseable {
    /** Exit handling is mostly waiting on the kernel (cgroup removal); a few threads keep bursts moving. */
    static final int WORKERS = 4;

    private final Epoll epoll;
    private final Map<Long, Watch> watches = new ConcurrentHashMap<>();
    private final AtomicLong tokens = new AtomicLong();
    private final ThreadPoolExecutor workers;
    private final Thread thread;
    private volatile boolean closed;

    private record Watch(Fd pidfd, Runnable onExit) {}

    Reaper() throws SyscallException {
        this.epoll = Epoll.create();
        AtomicInteger n = new AtomicInteger();
        this.workers = new ThreadPoolExecutor(WORKERS, WORKERS, 30, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), r -> {
            Thread t = new Thread(r, "agentd-exit-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        workers.allowCoreThreadTimeOut(true);
        this.thread = new Thread(this::loop, "agentd-reaper");
        thread.setDaemon(true);
        thread.start();
    }

    /**
     * Runs {@code onExit} on a worker once the process behind {@code pidfd} has
     * ended (at once if it already has). The caller keeps owning {@code pidfd}
     * and must not close it before {@code onExit} runs.
     */
    void watch(Fd pidfd, Runnable onExit) throws SyscallException {
        long token = tokens.incrementAndGet();
        watches.put(token, new Watch(pidfd, onExit));
        try {
            epoll.add(pidfd, token);
        } catch (SyscallException e) {
            watches.remove(token);
            throw e;
        }
    }

    /** Runs {@code task} on the exit pool (restarts after their backoff, say). */
    void submit(Runnable task) {
        workers.execute(task);
    }

    private void loop() {
        long[] ready = new long[64];
        while (!closed) {
            int n;
            try {
                n = epoll.await(ready, -1);
            } catch (SyscallException e) {
                System.err.println("agentd: the reaper's epoll failed: " + e.getMessage());
                return;
            }
            for (int i = 0; i < n; i++) {
                Watch w = watches.remove(ready[i]);
                if (w == null) {
                    continue;
                }
                // Level-triggered: removed before anything else, or it would be reported again.
                epoll.remove(w.pidfd());
                workers.execute(w.onExit());
            }
        }
    }

    /** How many processes are watched (for tests and status). */
    int watching() {
        return watches.size();
    }

    @Override
    public void close() {
        closed = true;
        epoll.wakeUp();
        try {
            thread.join(1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        workers.shutdown();
        epoll.close();
    }
}
