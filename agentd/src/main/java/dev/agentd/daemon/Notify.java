package dev.agentd.daemon;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.agentd.linux.SdNotify;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * Tells systemd how agentd is doing ({@code Type=notify}, {@code sd_notify(3)}):
 * {@code READY=1} once the admin socket answers, a {@code STATUS=} line with the
 * number of running agents, {@code WATCHDOG=1} at half of {@code WatchdogSec=}
 * for as long as the admin socket still answers {@code daemon.status}, and
 * {@code STOPPING=1} on shutdown. Outside systemd ({@code $NOTIFY_SOCKET}
 * unset) nothing is sent and no thread is started.
 *
 * <p>The watchdog pings only after a real round trip through the admin socket
 * (accept, SO_PEERCRED check, JSON-RPC dispatch, the supervisor's count): a
 * JVM whose timer thread still runs while the daemon no longer serves is
 * exactly what the watchdog is for. {@code daemon.status} is not audited, so
 * the self-check adds nothing to the audit log.
 */
final class Notify {
    /** Sends one notification; false when there is nobody to send to. */
    interface Sender {
        boolean send(String state) throws IOException;
    }

    /** One health check: the number of running agents, or an exception saying why agentd is unhealthy. */
    interface Health {
        int agentsRunning() throws IOException;
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    /** A self-check answer longer than this is not a daemon.status reply. */
    private static final int MAX_REPLY = 1 << 20;

    private final Sender sender;
    private final Health health;
    private volatile boolean stopping;
    private volatile Thread watchdog;
    private boolean lastSendFailed;

    Notify(Sender sender, Health health) {
        this.sender = sender;
        this.health = health;
    }

    /**
     * Notifies systemd that {@code d} is ready and starts the watchdog when
     * systemd asked for one. A no-op outside systemd.
     */
    static Notify systemd(Daemon d) {
        Notify n = new Notify(SdNotify::notify, () -> selfCheck(d.socket()));
        if (System.getenv("NOTIFY_SOCKET") == null) {
            return n; // not under systemd: nothing to tell, no thread
        }
        n.ready();
        SdNotify.watchdogInterval().ifPresent(n::startWatchdog);
        return n;
    }

    /** {@code READY=1} with the status line; if the socket does not answer, says so (the watchdog will act). */
    void ready() {
        String status;
        try {
            status = status(health.agentsRunning());
        } catch (IOException | RuntimeException e) {
            status = "agentd started, but its admin socket does not answer: " + e.getMessage();
        }
        send("READY=1\nSTATUS=" + status);
    }

    /** One watchdog round: {@code WATCHDOG=1} and a fresh status when healthy, only a status otherwise. */
    void ping() {
        if (stopping) {
            return;
        }
        String msg = watchdogMessage();
        if (!stopping) {
            send(msg);
        }
    }

    /** What {@link #ping()} sends now. */
    String watchdogMessage() {
        try {
            return "WATCHDOG=1\nSTATUS=" + status(health.agentsRunning());
        } catch (IOException | RuntimeException e) {
            // No WATCHDOG=1: systemd restarts agentd when this persists for WatchdogSec.
            return "STATUS=agentd is not answering on its admin socket: " + e.getMessage();
        }
    }

    /** {@code STOPPING=1}; stops the watchdog. Agents keep running (KillMode=process) for the next agentd. */
    void stopping() {
        stopping = true;
        Thread t = watchdog;
        if (t != null) {
            t.interrupt();
        }
        send(STOPPING);
    }

    static final String STOPPING = "STOPPING=1\nSTATUS=agentd stopping; agents keep running and are re-adopted at the next start";

    static String status(int agentsRunning) {
        return "agentd ready: " + agentsRunning + (agentsRunning == 1 ? " agent" : " agents") + " running";
    }

    /** Half of systemd's interval, as sd_watchdog_enabled(3) advises; never below 10 ms. */
    static Duration pingPeriod(Duration watchdogInterval) {
        Duration half = watchdogInterval.dividedBy(2);
        return half.compareTo(Duration.ofMillis(10)) < 0 ? Duration.ofMillis(10) : half;
    }

    /** Starts the daemon thread that calls {@link #ping()} every half interval. */
    void startWatchdog(Duration interval) {
        Duration period = pingPeriod(interval);
        Thread t = new Thread(() -> {
            while (!stopping) {
                try {
                    Thread.sleep(period.toMillis());
                } catch (InterruptedException e) {
                    return;
                }
                ping();
            }
        }, "agentd-watchdog");
        t.setDaemon(true);
        watchdog = t;
        t.start();
    }

    Optional<Thread> watchdogThread() {
        return Optional.ofNullable(watchdog);
    }

    private synchronized void send(String state) {
        try {
            sender.send(state);
            lastSendFailed = false;
        } catch (IOException | RuntimeException e) {
            if (!lastSendFailed) { // once per run of failures, not every half interval
                System.err.println("agentd: cannot notify systemd: " + e.getMessage());
            }
            lastSendFailed = true;
        }
    }

    /**
     * Asks the admin socket for {@code daemon.status}, as agentctl would, and
     * returns {@code agents_running}.
     */
    static int selfCheck(Path socket) throws IOException {
        try (SocketChannel c = SocketChannel.open(UnixDomainSocketAddress.of(socket))) {
            c.write(ByteBuffer.wrap("{\"jsonrpc\":\"2.0\",\"id\":\"watchdog\",\"method\":\"daemon.status\"}\n"
                    .getBytes(StandardCharsets.UTF_8)));
            InputStream in = Channels.newInputStream(c);
            ByteArrayOutputStream line = new ByteArrayOutputStream();
            int b;
            while ((b = in.read()) >= 0 && b != '\n') {
                if (line.size() >= MAX_REPLY) {
                    throw new IOException("daemon.status reply longer than " + MAX_REPLY + " bytes");
                }
                line.write(b);
            }
            JsonNode reply = JSON.readTree(line.toString(StandardCharsets.UTF_8));
            JsonNode running = reply == null ? null : reply.path("result").get("agents_running");
            if (running == null || !running.canConvertToInt()) {
                throw new IOException("unexpected daemon.status reply: " + line.toString(StandardCharsets.UTF_8));
            }
            return running.intValue();
        }
    }
}
