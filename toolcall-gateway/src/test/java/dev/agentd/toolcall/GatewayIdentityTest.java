package dev.agentd.toolcall;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.agentd.linux.SocketPeer;
import dev.agentd.linux.testing.Require;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.util.OptionalInt;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Who may connect, and the socket file itself. Runs unprivileged: a foreign peer is
 * simulated by a {@link PeerCredentialsReader} that reports another uid or a pid the
 * predicate rejects. {@code GatewayIdentityIT} does it for real as root.
 */
class GatewayIdentityTest {
    @TempDir
    Path dir;

    private static UserPrincipal principal(int uid) throws IOException {
        return java.nio.file.FileSystems.getDefault().getUserPrincipalLookupService().lookupPrincipalByName(Integer.toString(uid));
    }

    private static PeerCredentialsReader fake(UserPrincipal user, OptionalInt pid) {
        return new PeerCredentialsReader() {
            @Override
            public PeerCredentials read(java.nio.channels.SocketChannel channel) {
                return new PeerCredentials(user, pid);
            }

            @Override
            public boolean reportsPid() {
                return pid.isPresent();
            }
        };
    }

    @Test
    void socketFile_isMode0600_ownedByTheAgent_andRemovedOnClose() throws Exception {
        Harness h = new Harness(dir, ToolRegistry.of(TestTools.echo()), "echo");
        Path s = h.socket();
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(s, LinkOption.NOFOLLOW_LINKS)));
        assertEquals(Harness.myUid(dir), (Integer) Files.getAttribute(s, "unix:uid", LinkOption.NOFOLLOW_LINKS));
        assertFalse(Files.exists(dir.resolve(".toolcall.sock.new")), "the temporary name is gone");
        h.close();
        assertFalse(Files.exists(s, LinkOption.NOFOLLOW_LINKS));
    }

    @Test
    void theAgentsOwnUid_isAdmitted_byTheRealSoPeercred() throws Exception {
        try (Harness h = new Harness(dir, ToolRegistry.of(TestTools.echo()), "echo"); RawClient c = h.client()) {
            assertEquals("{}", c.request(1, "ping", null).get("result").toString());
            assertTrue(h.refusals.isEmpty());
        }
    }

    @Test
    void wrongUid_isRefused_silently() throws Exception {
        int other = Harness.myUid(dir) + 4242;
        UserPrincipal stranger = principal(other);
        try (Harness h = new Harness(dir, ToolRegistry.of(TestTools.echo()),
                b -> b.peerCredentials(fake(stranger, OptionalInt.empty())), "echo");
             RawClient c = h.client()) {
            c.trySend("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}");
            assertEquals(RawClient.EOF, c.nextLine(2000), "closed without a word");
            assertEquals(1, h.refusals.size());
            assertTrue(h.refusals.get(0).startsWith("peer uid " + other + " is not the agent's uid "), h.refusals.get(0));
            assertEquals(0, h.gateway.connectionCount());
        }
    }

    @Test
    void pidPredicate_admitsOnlyPidsItAccepts() throws Exception {
        int me = (int) ProcessHandle.current().pid();
        AtomicInteger asked = new AtomicInteger();
        UserPrincipal self = principalOfMe();
        try (Harness h = new Harness(dir, ToolRegistry.of(TestTools.echo()),
                b -> b.peerCredentials(fake(self, OptionalInt.of(me)))
                        .peerPidInAgentCgroup(pid -> asked.incrementAndGet() > 0 && pid == me), "echo");
             RawClient c = h.client()) {
            assertEquals("{}", c.request(1, "ping", null).get("result").toString());
            assertEquals(1, asked.get());
        }
        try (Harness h = new Harness(dir, ToolRegistry.of(TestTools.echo()),
                b -> b.peerCredentials(fake(self, OptionalInt.of(me))).peerPidInAgentCgroup(pid -> false), "echo");
             RawClient c = h.client()) {
            assertEquals(RawClient.EOF, c.nextLine(2000));
            assertEquals("peer pid " + me + " is not in the agent's cgroup", h.refusals.get(0));
        }
    }

    @Test
    void pidPredicate_withAReaderThatHasNoPid_failsAtConfiguration() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> GatewayConfig.builder("a", dir.resolve("s.sock"), 0).peerCredentials(PeerCredentialsReader.JDK)
                        .peerPidInAgentCgroup(pid -> true).build());
        assertTrue(e.getMessage().contains("reports the peer pid"), e.getMessage());
    }

    @Test
    void kernelReader_givesTheRealPid_toThePredicate() throws Exception {
        Require.feature("socket-peer-pid", SocketPeer.isAvailable(), "the JVM lacks " + SocketPeer.JVM_FLAG);
        assertEquals(PeerCredentialsReader.KERNEL, PeerCredentialsReader.platformDefault());
        int me = (int) ProcessHandle.current().pid();
        java.util.List<Integer> asked = new java.util.concurrent.CopyOnWriteArrayList<>();
        try (Harness h = new Harness(dir, ToolRegistry.of(TestTools.echo()),
                b -> b.peerPidInAgentCgroup(pid -> asked.add(pid) && pid == me), "echo");
             RawClient c = h.client()) {
            assertEquals("{}", c.request(1, "ping", null).get("result").toString());
            assertEquals(java.util.List.of(me), asked);
        }
        try (Harness h = new Harness(dir, ToolRegistry.of(TestTools.echo()), b -> b.peerPidInAgentCgroup(pid -> pid != me), "echo");
             RawClient c = h.client()) {
            c.trySend("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}");
            assertEquals(RawClient.EOF, c.nextLine(2000));
            assertEquals("peer pid " + me + " is not in the agent's cgroup", h.refusals.get(0));
        }
    }

    @Test
    void readerFailure_refusesTheConnection() throws Exception {
        PeerCredentialsReader broken = new PeerCredentialsReader() {
            @Override
            public PeerCredentials read(java.nio.channels.SocketChannel channel) throws IOException {
                throw new IOException("getsockopt: EBADF");
            }

            @Override
            public boolean reportsPid() {
                return false;
            }
        };
        try (Harness h = new Harness(dir, ToolRegistry.of(TestTools.echo()), b -> b.peerCredentials(broken), "echo");
             RawClient c = h.client()) {
            assertEquals(RawClient.EOF, c.nextLine(2000));
            assertTrue(h.refusals.get(0).contains("EBADF"));
        }
    }

    @Test
    void staleSocket_isReplaced_butAnythingElseIsNot() throws Exception {
        Harness first = new Harness(dir, ToolRegistry.of(TestTools.echo()), "echo");
        // Simulate a crash: the file stays behind. (close() would remove it.)
        Path s = first.socket();
        try (Harness second = new Harness(dir, ToolRegistry.of(TestTools.echo()), "echo"); RawClient c = second.client()) {
            assertEquals("{}", c.request(1, "ping", null).get("result").toString());
            first.close(); // must not delete the second gateway's socket
            assertTrue(Files.exists(s, LinkOption.NOFOLLOW_LINKS));
        }
        Path regular = dir.resolve("regular");
        Files.writeString(regular, "data");
        GatewayConfig cfg = GatewayConfig.builder("a", regular, Harness.myUid(dir)).build();
        assertThrows(FileAlreadyExistsException.class, () -> Gateway.open(cfg, ToolRegistry.of(), new FakeAuthorizer(), CallListener.NONE));
        assertEquals("data", Files.readString(regular));
    }

    @Test
    void config_rejectsNonsense() {
        assertThrows(IllegalArgumentException.class, () -> GatewayConfig.builder("a", Path.of("rel.sock"), 0).build());
        assertThrows(IllegalArgumentException.class, () -> GatewayConfig.builder("", dir.resolve("s"), 0).build());
        assertThrows(IllegalArgumentException.class, () -> GatewayConfig.builder("a", dir.resolve("s"), -1).build());
    }

    private UserPrincipal principalOfMe() throws IOException {
        return Files.getOwner(dir, LinkOption.NOFOLLOW_LINKS);
    }
}
