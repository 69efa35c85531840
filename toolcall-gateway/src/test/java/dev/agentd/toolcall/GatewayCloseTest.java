package dev.agentd.toolcall;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * When {@link Gateway#close()} returns, its clients' sockets are closed, not about to be:
 * a request sent after it fails to send (the clients then reconnect and send it again)
 * instead of landing in a socket that is dropped unread (a reset, and a call that "may
 * have run").
 */
class GatewayCloseTest {
    @TempDir
    Path dir;

    @Test
    void afterClose_aClientsNextWriteFails() throws Exception {
        for (int i = 0; i < 20; i++) {
            Path run = Files.createDirectories(dir.resolve("run" + i));
            Harness h = new Harness(run, ToolRegistry.of(TestTools.echo()), "echo");
            try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
                ch.connect(UnixDomainSocketAddress.of(h.socket()));
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
                while (h.gateway.connectionCount() == 0 && System.nanoTime() < deadline) {
                    Thread.sleep(1); // until the gateway's reader waits in read()
                }
                assertEquals(1, h.gateway.connectionCount());
                Thread.sleep(5);

                h.close();

                ByteBuffer request = ByteBuffer.wrap("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}\n"
                        .getBytes(StandardCharsets.US_ASCII));
                assertThrows(IOException.class, () -> ch.write(request), "round " + i + ": the write went into the old socket");
            }
        }
    }
}
