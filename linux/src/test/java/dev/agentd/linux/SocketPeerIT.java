package dev.agentd.linux;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SocketPeerIT {
    @TempDir
    Path dir;

    @Test
    void of_givesThePeersPidAndUid() throws Exception {
        assertTrue(SocketPeer.isAvailable(), "surefire runs with " + SocketPeer.JVM_FLAG);
        Path sock = dir.resolve("s");
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            server.bind(UnixDomainSocketAddress.of(sock));
            try (SocketChannel client = SocketChannel.open(UnixDomainSocketAddress.of(sock));
                    SocketChannel accepted = server.accept()) {
                SocketPeer.Credentials c = SocketPeer.of(accepted);
                assertEquals(ProcessHandle.current().pid(), c.pid());
                assertEquals(Integer.parseInt(new com.sun.security.auth.module.UnixSystem().getUid() + ""), c.uid());
            }
        }
    }
}
