package dev.agentd.toolcall;

import dev.agentd.linux.SocketPeer;
import java.io.IOException;
import java.nio.channels.SocketChannel;
import java.nio.file.FileSystems;
import java.util.OptionalInt;
import jdk.net.ExtendedSocketOptions;
import jdk.net.UnixDomainPrincipal;

/**
 * Reads the credentials of an accepted connection's peer. Two implementations,
 * because the JDK's {@code SO_PEERCRED} option has the uid but not the pid:
 * {@link #KERNEL} calls {@code getsockopt(SO_PEERCRED)} on the channel's descriptor
 * through the {@code linux} module (uid and pid; needs the JVM flag
 * {@value SocketPeer#JVM_FLAG}), {@link #JDK} uses the JDK option (uid only).
 * {@link #platformDefault()} picks once.
 */
public interface PeerCredentialsReader {
    PeerCredentials read(SocketChannel channel) throws IOException;

    /** True when {@link PeerCredentials#pid()} is filled; a pid check is refused at configuration otherwise. */
    boolean reportsPid();

    /** The JDK's {@code SO_PEERCRED} option: the uid (as a principal), no pid. Works in every JVM. */
    PeerCredentialsReader JDK = new PeerCredentialsReader() {
        @Override
        public PeerCredentials read(SocketChannel channel) throws IOException {
            UnixDomainPrincipal p = channel.getOption(ExtendedSocketOptions.SO_PEERCRED);
            return new PeerCredentials(p.user(), OptionalInt.empty());
        }

        @Override
        public boolean reportsPid() {
            return false;
        }

        @Override
        public String toString() {
            return "PeerCredentialsReader.JDK";
        }
    };

    /**
     * {@code getsockopt(SO_PEERCRED)} on the descriptor ({@link SocketPeer}): uid and pid.
     * {@link #reportsPid()} is false, and {@link #read} fails, in a JVM started without
     * {@value SocketPeer#JVM_FLAG}.
     */
    PeerCredentialsReader KERNEL = new PeerCredentialsReader() {
        @Override
        public PeerCredentials read(SocketChannel channel) throws IOException {
            SocketPeer.Credentials c;
            try {
                c = SocketPeer.of(channel);
            } catch (UnsupportedOperationException e) {
                throw new IOException(e.getMessage(), e);
            }
            // Principals of one uid are equal whatever their name, so this compares by uid.
            return new PeerCredentials(FileSystems.getDefault().getUserPrincipalLookupService()
                    .lookupPrincipalByName(Integer.toString(c.uid())), OptionalInt.of(c.pid()));
        }

        @Override
        public boolean reportsPid() {
            return SocketPeer.isAvailable();
        }

        @Override
        public String toString() {
            return "PeerCredentialsReader.KERNEL";
        }
    };

    /** {@link #KERNEL} when this JVM can read descriptors, else {@link #JDK}; the {@link GatewayConfig} default. */
    static PeerCredentialsReader platformDefault() {
        return SocketPeer.isAvailable() ? KERNEL : JDK;
    }
}
