package dev.agentd.toolcall;

import java.io.IOException;
import java.nio.channels.SocketChannel;
import java.util.OptionalInt;
import jdk.net.ExtendedSocketOptions;
import jdk.net.UnixDomainPrincipal;

/**
 * Reads the credentials of an accepted connection's peer. A seam so that a reader
 * that also reports the pid (which needs {@code getsockopt(SO_PEERCRED)} on the raw
 * fd, not available through the JDK) can replace {@link #JDK} without touching the
 * gateway.
 */
public interface PeerCredentialsReader {
    PeerCredentials read(SocketChannel channel) throws IOException;

    /** True when {@link PeerCredentials#pid()} is filled; a pid check is refused at open otherwise. */
    boolean reportsPid();

    /** The JDK's {@code SO_PEERCRED} option: the uid (as a principal), no pid. */
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
}
