package dev.agentd.toolcall;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.agentd.linux.testing.Require;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The real thing, as root: the socket is chowned to another uid, and root itself is refused by SO_PEERCRED. */
class GatewayIdentityIT {
    @TempDir
    Path dir;

    @Test
    void socketOwnedByAgentUid_andAnotherUidIsRefusedByTheKernelsWord() throws Exception {
        Require.root();
        int agentUid = 54321; // needs no passwd entry
        try (Harness h = new Harness(dir, ToolRegistry.of(TestTools.echo()),
                b -> GatewayConfig.builder("agent-1", dir.resolve("toolcall.sock"), agentUid), "echo")) {
            assertEquals(agentUid, (Integer) Files.getAttribute(h.socket(), "unix:uid", LinkOption.NOFOLLOW_LINKS));
            try (RawClient c = h.client()) { // root may connect to a 0600 socket; the gateway still says no
                c.trySend("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}");
                assertEquals(RawClient.EOF, c.nextLine(2000));
            }
            // "root" from the JDK reader, "0" from the kernel one.
            assertTrue(h.refusals.get(0).matches("peer uid (root|0) is not the agent's uid 54321"), h.refusals.get(0));
        }
    }
}
