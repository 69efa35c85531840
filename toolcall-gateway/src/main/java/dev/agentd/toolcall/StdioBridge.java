package dev.agentd.toolcall;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;

/**
 * Joins stdin/stdout to the toolcall socket, so an MCP client that only knows the
 * stdio transport ({@code "command": "java", "args": ["-cp", "...", "dev.agentd.toolcall.StdioBridge"]})
 * works unmodified. Both transports are newline-delimited JSON-RPC, so the bridge
 * forwards bytes as they arrive and never parses: framing is preserved end to end
 * and the gateway stays the only place that interprets messages.
 *
 * <p>When stdin closes (the MCP stdio way to end a session) the bridge half-closes the
 * socket; the gateway answers the calls still running and closes, and the bridge exits
 * 0 after forwarding those answers. If the gateway closes first, it exits 1.
 *
 * <p>Usage: {@code StdioBridge [SOCKET]} (default {@code /run/agentd/toolcall.sock}).
 */
public final class StdioBridge {
    private StdioBridge() {}

    public static void main(String[] args) {
        Path socket = args.length > 0 ? Path.of(args[0]) : Path.of("/run/agentd/toolcall.sock");
        int rc;
        try {
            rc = run(socket, System.in, System.out);
        } catch (IOException e) {
            System.err.println("toolcall bridge: " + e.getMessage());
            rc = 2;
        }
        System.out.flush();
        System.exit(rc);
    }

    /**
     * Bridges until the gateway closes the connection.
     *
     * @return 0 when stdin ended first (a clean session end), 1 when the gateway closed first
     * @throws IOException when the socket cannot be connected
     */
    public static int run(Path socket, InputStream in, OutputStream out) throws IOException {
        SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            ch.connect(UnixDomainSocketAddress.of(socket));
        } catch (IOException e) {
            ch.close();
            throw new IOException("cannot connect to " + socket + ": " + e.getMessage(), e);
        }
        boolean[] stdinEnded = {false};
        Thread up = new Thread(() -> {
            byte[] buf = new byte[64 * 1024];
            try {
                int n;
                while ((n = in.read(buf)) >= 0) {
                    ByteBuffer b = ByteBuffer.wrap(buf, 0, n);
                    while (b.hasRemaining()) {
                        ch.write(b);
                    }
                }
                synchronized (stdinEnded) {
                    stdinEnded[0] = true;
                }
                ch.shutdownOutput();
            } catch (IOException e) {
                // The socket is gone; the downstream copy sees it and ends the bridge.
            }
        }, "toolcall-bridge-stdin");
        up.setDaemon(true); // a read of stdin cannot be interrupted; do not let it hold the JVM
        up.start();
        try {
            ByteBuffer buf = ByteBuffer.allocate(64 * 1024);
            while (true) {
                buf.clear();
                int n;
                try {
                    n = ch.read(buf);
                } catch (IOException e) {
                    n = -1; // reset by the gateway: same as its close
                }
                if (n < 0) {
                    break;
                }
                out.write(buf.array(), 0, n);
                out.flush(); // the client waits for each answer; never sit on a complete line
            }
        } catch (IOException e) {
            return 1; // stdout closed: the client is gone
        } finally {
            ch.close();
        }
        synchronized (stdinEnded) {
            return stdinEnded[0] ? 0 : 1;
        }
    }
}
