package dev.agentd.toolcall;

import java.util.ArrayList;
import java.util.List;

/**
 * Cancellation of one tool call. One-way: once cancelled it stays cancelled.
 * Callbacks run once, on the thread that cancels (or at once on the registering
 * thread when already cancelled), so they must be quick and must not block —
 * e.g. close a socket the tool is reading.
 */
public final class CancellationToken {
    private final List<Runnable> callbacks = new ArrayList<>();
    private volatile boolean cancelled;

    public boolean isCancelled() {
        return cancelled;
    }

    /** Cancels and runs the registered callbacks; later calls do nothing. */
    public void cancel() {
        List<Runnable> run;
        synchronized (callbacks) {
            if (cancelled) {
                return;
            }
            cancelled = true;
            run = new ArrayList<>(callbacks);
            callbacks.clear();
        }
        for (Runnable r : run) {
            runQuietly(r);
        }
    }

    /** Registers {@code r} to run on cancellation; runs it now if already cancelled. */
    public void onCancel(Runnable r) {
        synchronized (callbacks) {
            if (!cancelled) {
                callbacks.add(r);
                return;
            }
        }
        runQuietly(r);
    }

    /** For tools that check between steps. */
    public void throwIfCancelled() throws ToolException {
        if (cancelled) {
            throw new ToolException("cancelled");
        }
    }

    // A failing callback must not stop the others nor the gateway thread that cancels.
    private static void runQuietly(Runnable r) {
        try {
            r.run();
        } catch (RuntimeException ignored) {
            // The tool's own cleanup failed; the call is cancelled either way.
        }
    }
}
